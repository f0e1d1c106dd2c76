// Progressive enhancement only: the server decides which questions apply, and every diagnostic
// page works without this file. On a step, a question that depends on another answer on the
// same page (data-show-if, written by the server from the questionnaire's show_if) is hidden
// while that answer rules it out and comes back when it changes: the readiness ladder stops at
// the first "no". Saving applies the same rules on the server (diagnostics/questionnaire.py),
// so an answer left in a hidden question is never kept.
(function () {
  "use strict";
  var form = document.querySelector("form[data-diagnostic-step]");
  if (!form) return;
  var dependent = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  if (!dependent.length) return;

  // The value a question's inputs carry now: the checked radio's, the select's, "" if none.
  function currentValue(name) {
    var field = form.elements.namedItem(name);
    return field && field.value ? field.value : "";
  }

  function applies(wrapper) {
    var rules = JSON.parse(wrapper.getAttribute("data-show-if"));
    return rules.every(function (rule) {
      var controller = form.querySelector('[data-question="' + rule.question + '"]');
      if (controller && controller.hidden) return false; // skipped itself: skips what follows
      var listed = rule.values.indexOf(currentValue(rule.question)) !== -1;
      return rule.op === "in" ? listed : !listed;
    });
  }

  // In page order, so a question's controller is settled before the question itself.
  function update() {
    dependent.forEach(function (wrapper) {
      wrapper.hidden = !applies(wrapper);
    });
  }

  form.addEventListener("change", update);
  update();
})();
