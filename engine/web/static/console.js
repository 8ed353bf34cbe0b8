// Console, progressive enhancement (every form works without JavaScript). A file, not inline
// scripts, so the Content-Security-Policy allows scripts from the server only.
// - Read-only fields marked data-select-on-focus select their text when focused (a new
//   token, a webhook secret, a member page link), ready to copy.
// - The "Copy" button of a new member page link appears and copies the link.
(function () {
  "use strict";

  var fields = document.querySelectorAll("input[data-select-on-focus]");
  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });

  var button = document.getElementById("copy-link");
  var link = document.getElementById("member-link-url");
  if (!button || !link) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    link.focus();
    link.select();
    var done = function () { button.textContent = button.dataset.done; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link.value).then(done, function () {
        document.execCommand("copy"); done();
      });
    } else {
      document.execCommand("copy"); done();
    }
  });
})();
