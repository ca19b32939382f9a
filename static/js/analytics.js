// Loaded only after the visitor allowed analytics cookies (see templates/_banners.html).
// Put the site's own analytics tag here; it must set no cookie before this file runs.
window.preferenceCentreAnalytics = { allowed: true };
