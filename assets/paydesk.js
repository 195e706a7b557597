/*
 * Paydesk loader: the one script a merchant page includes.
 *
 *   <div id="checkout"></div>
 *   <script src="https://GATEWAY/assets/paydesk.js"
 *           data-client-token="ct_…" data-target="#checkout" data-locale="en" defer></script>
 *
 * or, to mount from the page's own code (after this script has run):
 *
 *   Paydesk.mount(document.querySelector("#checkout"), { clientToken, locale });
 *
 * Everything else (the widget module, its WebAssembly and its stylesheet) is loaded
 * from the origin this script came from, which is also where the widget API lives.
 * No eval, no inline script or style: it runs under a Content-Security-Policy that
 * allows the gateway origin in script-src and style-src plus 'wasm-unsafe-eval'.
 */
(() => {
  "use strict";

  // Only valid while this script first runs, so read it now.
  const script = document.currentScript;

  // Included twice: the first copy already provides everything.
  if (window.Paydesk) {
    autoMount(window.Paydesk);
    return;
  }

  const base = gatewayOrigin();
  const moduleUrl = `${base}/assets/paydesk-widget.js`;
  const wasmUrl = `${base}/assets/paydesk-widget_bg.wasm`;
  const styleUrl = `${base}/assets/paydesk-widget.css`;
  const mounted = new WeakSet();
  let ready = null;

  function gatewayOrigin() {
    if (script && script.src) {
      return new URL(script.src, document.baseURI).origin;
    }
    // Without a src (inlined or bundled), the page itself is assumed to be on the
    // gateway, as the hosted checkout is.
    return window.location.origin;
  }

  function fail(message) {
    const error = new Error(`Paydesk: ${message}`);
    console.error(error.message);
    return Promise.reject(error);
  }

  // Resolves once the stylesheet is usable (or has failed: an unstyled widget
  // still takes payments), so the widget never appears unstyled first.
  function loadStyle() {
    const existing = Array.from(document.querySelectorAll('link[rel="stylesheet"]')).find(
      (link) => link.href === styleUrl,
    );
    if (existing) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = styleUrl;
      link.addEventListener("load", () => resolve());
      link.addEventListener("error", () => {
        console.error(`Paydesk: could not load ${styleUrl}`);
        resolve();
      });
      document.head.appendChild(link);
    });
  }

  // The module and its WebAssembly are fetched and compiled once per page, however
  // many widgets it mounts.
  function load() {
    if (!ready) {
      const widget = import(moduleUrl).then((module) =>
        module.default({ module_or_path: wasmUrl }).then(() => module),
      );
      ready = Promise.all([widget, loadStyle()]).then(([module]) => module);
      // A failed load may be a network blip: let the next mount try again.
      ready.catch(() => {
        ready = null;
      });
    }
    return ready;
  }

  function resolveElement(target) {
    if (typeof target === "string") {
      return document.querySelector(target);
    }
    return target;
  }

  /**
   * Mounts the checkout for one order into `element` (an element or a CSS selector).
   * Resolves when the widget is on the page.
   */
  function mount(target, options) {
    const { clientToken, locale } = options || {};
    let element;
    try {
      element = resolveElement(target);
    } catch (_) {
      return fail(`"${target}" is not a valid CSS selector`);
    }
    if (!(element instanceof HTMLElement)) {
      return fail("mount() needs an element on the page, or a selector that finds one");
    }
    if (typeof clientToken !== "string" || clientToken === "") {
      return fail("mount() needs the order's clientToken");
    }
    if (locale != null && typeof locale !== "string") {
      return fail("locale must be a language tag such as \"en\" or \"zh-CN\"");
    }
    if (mounted.has(element)) {
      return fail("a checkout is already mounted in this element");
    }
    mounted.add(element);
    return load()
      .then((widget) => {
        widget.mount(element, clientToken, base, locale || undefined);
      })
      .catch((error) => {
        mounted.delete(element);
        const reason = error && error.message ? error.message : String(error);
        return fail(`could not start the checkout (${reason})`);
      });
  }

  const Paydesk = Object.freeze({ mount });
  Object.defineProperty(window, "Paydesk", { value: Paydesk, enumerable: true });
  autoMount(Paydesk);

  // Mounts from this script tag's data attributes, if it has them.
  function autoMount(paydesk) {
    if (!script) {
      return;
    }
    const { clientToken, target, locale } = script.dataset;
    if (!clientToken && !target) {
      return;
    }
    if (!clientToken || !target) {
      console.error("Paydesk: the script tag needs both data-client-token and data-target");
      return;
    }
    const start = () => {
      paydesk.mount(target, { clientToken, locale }).catch(() => {
        // Already reported by mount().
      });
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start, { once: true });
    } else {
      start();
    }
  }
})();
