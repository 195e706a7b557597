// Development page only: mounts the widget for the client token in the address
// (`?client_token=…&locale=…`) through a loader script tag, as a merchant page does.
(() => {
  "use strict";
  const params = new URLSearchParams(window.location.search);
  const token = params.get("client_token");
  if (!token) {
    return;
  }
  const loader = document.createElement("script");
  loader.src = new URL("paydesk.js", document.currentScript.src).href;
  loader.dataset.clientToken = token;
  loader.dataset.target = "#paydesk-checkout";
  const locale = params.get("locale");
  if (locale) {
    loader.dataset.locale = locale;
  }
  document.head.appendChild(loader);
})();
