// Loaded only after the visitor allowed marketing cookies and sent no GPC signal
// (see templates/_banners.html). Put advertising measurement tags here.
window.preferenceCentreMarketing = { allowed: true };
