// The look-up page's "Record a choice" form: the two choices say "Turn off" / "Turn on" for
// a consent purpose and "Stop (objection)" / "Allow" for one that runs unless the person
// objects (legitimate interests). Without this script both words show on each choice.
(function () {
  "use strict";
  var purpose = document.getElementById("purpose");
  if (!purpose) { return; }
  var words = {
    consent: { off: "Turn off", on: "Turn on" },
    legitimate_interests: { off: "Stop (objection)", on: "Allow" }
  };
  var labels = document.querySelectorAll("label[data-choice]");
  var both = Array.prototype.map.call(labels, function (label) { return label.textContent; });

  function follow() {
    var chosen = purpose.options[purpose.selectedIndex];
    var basis = chosen ? words[chosen.getAttribute("data-basis")] : null;
    Array.prototype.forEach.call(labels, function (label, n) {
      label.textContent = basis ? basis[label.getAttribute("data-choice")] : both[n];
    });
  }

  purpose.addEventListener("change", follow);
  follow();
}());
