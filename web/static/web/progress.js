// Polls each running generation and reloads the work page when one has finished.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-status-url]");
  boxes.forEach(function (box) {
    var text = box.querySelector(".status-text");
    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          text.textContent = body.status;
          if (body.finished) { window.location.reload(); } else { setTimeout(poll, 1500); }
        })
        .catch(function () { text.textContent = "connection lost, retrying"; setTimeout(poll, 5000); });
    }
    setTimeout(poll, 1000);
  });
})();
