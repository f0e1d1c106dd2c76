// Progressive enhancement only: every page works without this file.
// After a failed submit, move focus to the error summary so keyboard and screen reader users
// land on the list of problems (GOV.UK's error summary pattern).
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
  // Links in the summary move focus to the field itself, not just scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      var legend = field.closest("fieldset");
      (legend || field).scrollIntoView({ block: "start" });
      field.focus();
    }
  });
})();
