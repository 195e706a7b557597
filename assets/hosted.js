/*
 * The gateway's hosted checkout page (/pay/{client_token}) around the widget: once the
 * widget reports the order paid, the "Continue to {merchant}" link appears. The page
 * carries no inline script, so this file is all the page's own behaviour.
 */
(() => {
  "use strict";

  document.addEventListener("paydesk:status", (event) => {
    const status = event.detail && event.detail.status;
    document.body.setAttribute("data-status", typeof status === "string" ? status : "");
    const next = document.getElementById("paydesk-continue");
    if (next) {
      next.hidden = status !== "paid";
    }
  });
})();
