// Member page, progressive enhancement. Without JavaScript the page shows the same words and
// times (in UTC, and says so) and refreshes itself with a meta tag while a check runs.
// - The browser's time zone goes into the `tz` cookie, so that the server writes times in it;
//   the page reloads once when the zone it was written in is not the browser's.
// - A live cooldown countdown.
// - While a check runs or waits, /m/{token}/status is polled: a check still queued after 30 s
//   stops spinning and says it is queued and when it is expected; any other change reloads.
(function () {
  "use strict";

  var page = document.getElementById("mission");

  function readCookie(name) {
    var found = document.cookie.split("; ").filter(function (part) {
      return part.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
  }

  function shareTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return false;
    }
    if (!zone || readCookie("tz") === zone) { return false; }
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    // Reload once, only when the cookie took (no loop when cookies are refused) and the page
    // was written in another zone.
    if (readCookie("tz") === zone && page && page.dataset.tz !== zone) {
      window.location.reload();
      return true;
    }
    return false;
  }

  if (shareTimeZone()) { return; }

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

  if (!page) { return; }
  var phases = JSON.parse(page.dataset.phases || "{}");
  var ACTIVE = ["checking", "queued", "retrying"];

  function active(phase) { return ACTIVE.indexOf(phase) >= 0; }

  function anyPhase(test) {
    return Object.keys(phases).some(function (platform) { return test(phases[platform]); });
  }

  // A spinning check that the server now calls queued: say so in place, without a spinner.
  function showQueued(platform, message) {
    var box = document.getElementById("checking-" + platform);
    if (!box) { return false; }
    var spinner = box.querySelector(".spinner");
    if (spinner) { spinner.remove(); }
    box.classList.add("queued");
    box.querySelector("strong").textContent = page.dataset.queuedTitle;
    box.querySelector(".message").textContent = message;
    var section = document.getElementById("platform-" + platform);
    if (section) { section.dataset.phase = "queued"; }
    return true;
  }

  function delay() {
    var seconds = anyPhase(function (p) { return p === "checking"; })
      ? page.dataset.poll : page.dataset.waitPoll;
    return Number(seconds || 2) * 1000;
  }

  var retries = {};

  function poll() {
    fetch(page.dataset.statusUrl, { headers: { "Accept": "application/json" } })
      .then(function (answer) { return answer.json(); })
      .then(function (status) {
        var claims = status.claims || {};
        var platforms = Object.keys(phases).filter(function (p) { return active(phases[p]); });
        for (var i = 0; i < platforms.length; i += 1) {
          var platform = platforms[i], now = claims[platform];
          if (!now) { window.location.reload(); return; }
          if (now.phase === phases[platform]) {
            // A retry that was tried and rescheduled keeps its phase but changes its time and
            // words: show the new ones rather than a time already past.
            var seen = now.due_at + "|" + now.message;
            if (now.phase === "retrying" && retries[platform] !== undefined &&
                retries[platform] !== seen) { window.location.reload(); return; }
            retries[platform] = seen;
            continue;
          }
          if (phases[platform] === "checking" && now.phase === "queued" &&
              showQueued(platform, now.message)) {
            phases[platform] = "queued";
            continue;
          }
          window.location.reload();
          return;
        }
        window.setTimeout(poll, delay());
      })
      .catch(function () { window.setTimeout(poll, delay() * 2); });
  }

  if (anyPhase(active)) { window.setTimeout(poll, delay()); }
})();
