// Member page, progressive enhancement: a live cooldown countdown, and polling while a check
// runs (the page reloads when it ends). Without JavaScript the page shows the same times and
// refreshes itself with a meta tag.
(function () {
  "use strict";

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var m = Math.floor(s % 3600 / 60), r = s % 60;
    return Math.floor(s / 3600) + ":" + (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }

  document.querySelectorAll(".cooldown[data-remaining]").forEach(function (box) {
    var end = Date.now() + Number(box.dataset.remaining) * 1000;
    var text = box.querySelector(".countdown-text");
    var platform = box.id.replace("cooldown-", "");
    var button = document.getElementById("claim-" + platform);
    function tick() {
      var left = (end - Date.now()) / 1000;
      if (left <= 0) {
        window.location.reload();
        return;
      }
      text.textContent = box.dataset.template.replace("{t}", clock(left));
      // Wake up just after the shown second changes, whatever the clock's phase.
      window.setTimeout(tick, (end - Date.now()) % 1000 + 20);
    }
    if (button) { button.disabled = true; }
    tick();
  });

  var page = document.getElementById("mission");
  if (page && page.dataset.checking === "true") {
    var every = Number(page.dataset.poll || 2) * 1000;
    var poll = function () {
      fetch(page.dataset.statusUrl, { headers: { "Accept": "application/json" } })
        .then(function (answer) { return answer.json(); })
        .then(function (status) {
          if (status.checking) { window.setTimeout(poll, every); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(poll, every * 2); });
    };
    window.setTimeout(poll, every);
  }
})();
