// While a job runs the page reloads itself every few seconds (not while a form has focus).
(function () {
  "use strict";
  setTimeout(function () {
    var active = document.activeElement;
    if (!active || !active.closest("form")) { window.location.reload(); }
  }, 4000);
})();
