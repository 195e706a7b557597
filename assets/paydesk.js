/*
 * Paydesk loader. A merchant page includes it with data attributes
 *   <script src="https://GATEWAY/assets/paydesk.js" data-client-token="ct_…"
 *           data-target="#checkout" data-locale data-theme data-mode defer></script>
 * or calls Paydesk.mount(elementOrSelector, { clientToken, locale, mode,
 *   appearance: { theme, variables }, onStatus }). The widget renders in an open
 * shadow root on the element and reports each status to onStatus and as a
 * "paydesk:status" event. `cargo xtask build-widget` fills in the version and the
 * Subresource Integrity below; unfilled (a dev build) the unversioned files load.
 * No eval, inline script or style: it runs under a strict Content-Security-Policy.
 */
(() => {
  "use strict";
  performance.mark("paydesk:loader-start");

  const VERSION = "__PAYDESK_VERSION__";
  const INTEGRITY = {
    js: "__PAYDESK_INTEGRITY_JS__",
    wasm: "__PAYDESK_INTEGRITY_WASM__",
    css: "__PAYDESK_INTEGRITY_CSS__",
  };
  // Shown in the widget's place when its files cannot load (a network failure, or a
  // file that fails its integrity check): the widget's own texts are in those files.
  const FAILED = {
    en: "The checkout could not load. Reload the page to try again.",
    "zh-CN": "支付页面加载失败，请刷新页面重试。",
    "zh-TW": "支付頁面載入失敗，請重新整理頁面再試。",
  };
  const THEMES = ["auto", "light", "dark", "flat"];
  const MODES = ["embedded", "hosted"];

  // Only valid while this script first runs, so read it now.
  const script = document.currentScript;

  // Included twice: the first copy provides everything; this tag may still mount.
  if (window.Paydesk) {
    autoMount(window.Paydesk);
    return;
  }

  const versioned = /^[0-9a-f]{16}$/.test(VERSION);
  // Without a src (inlined or bundled) the page itself is taken to be on the gateway,
  // as the hosted checkout is.
  const origin = script && script.src ? new URL(script.src, document.baseURI).origin : location.origin;
  const dir = `${origin}/assets/${versioned ? `${VERSION}/` : ""}`;
  const files = {
    js: `${dir}paydesk-widget.js`,
    wasm: `${dir}paydesk-widget_bg.wasm`,
    css: `${dir}paydesk-widget.css`,
  };
  // element → "mounting" | "mounted" | "failed"
  const mounts = new WeakMap();
  let widget = null;

  function report(message) {
    console.error(`Paydesk: ${message}`);
  }

  function fail(message) {
    report(message);
    return Promise.reject(new Error(`Paydesk: ${message}`));
  }

  // Sets integrity (and the CORS mode it needs) when this is a versioned build.
  function secure(link, kind) {
    if (versioned) {
      link.integrity = INTEGRITY[kind];
      link.crossOrigin = "anonymous";
    }
    return link;
  }

  function loaded(link) {
    return new Promise((resolve, reject) => {
      link.addEventListener("load", () => resolve(), { once: true });
      link.addEventListener("error", () => reject(new Error(`could not load ${link.href}`)), { once: true });
    });
  }

  // The module and its WebAssembly are fetched and compiled once per page, however
  // many widgets it mounts. The module is preloaded with integrity first: import()
  // then takes it from the module map instead of fetching it unchecked.
  function loadWidget() {
    if (!widget) {
      const preload = secure(document.createElement("link"), "js");
      preload.rel = "modulepreload";
      preload.href = files.js;
      // A browser without modulepreload would never fire load or error on it.
      const ready = preload.relList.supports("modulepreload") ? loaded(preload) : Promise.resolve();
      document.head.appendChild(preload);
      const wasm = fetch(files.wasm, versioned ? { integrity: INTEGRITY.wasm } : {});
      wasm.catch(() => {}); // reported through init below
      widget = ready
        .then(() => import(files.js))
        .then((module) => module.default({ module_or_path: wasm }).then(() => module));
      // A failed load may be a network blip: let the next mount try again.
      widget.catch(() => {
        widget = null;
        preload.remove();
      });
    }
    return widget;
  }

  // The widget's language, chosen as the widget chooses it (`Locale::choose`,
  // `Language::of`, `Language::tag`): the merchant's locale, else the first of the
  // browser's languages it speaks; English otherwise.
  function language(locale) {
    const wanted = (locale || "").trim();
    for (const tag of wanted ? [wanted] : navigator.languages || []) {
      const [first, ...rest] = tag.toLowerCase().split(/[-_]/);
      if (first === "en") {
        return "en";
      }
      if (first === "zh") {
        const traditional = rest.includes("hant") ||
          (!rest.includes("hans") && rest.some((t) => ["tw", "hk", "mo"].includes(t)));
        return traditional ? "zh-TW" : "zh-CN";
      }
    }
    return "en";
  }

  function kebab(name) {
    return name
      .replace(/^--paydesk-/, "")
      .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  }

  // Theme and token overrides go on the host element: the attribute selects a preset
  // in the widget's stylesheet, and CSSOM custom properties (allowed under a strict
  // CSP, unlike style attributes) are inherited into the shadow root.
  function applyAppearance(host, appearance) {
    if (appearance == null) {
      return;
    }
    if (typeof appearance !== "object") {
      report("appearance must be an object such as { theme: \"dark\", variables: { … } }");
      return;
    }
    const { theme, variables } = appearance;
    if (theme != null) {
      if (THEMES.includes(theme)) {
        host.setAttribute("data-paydesk-theme", theme);
      } else {
        report(`unknown theme "${theme}"; use one of ${THEMES.join(", ")} (using "auto")`);
      }
    }
    if (variables == null) {
      return;
    }
    if (typeof variables !== "object") {
      report("appearance.variables must be an object of token names and CSS values");
      return;
    }
    for (const [key, raw] of Object.entries(variables)) {
      const name = kebab(key);
      const value = typeof raw === "number" ? String(raw) : raw;
      if (!/^[a-z0-9-]+$/.test(name)) {
        report(`ignored appearance variable "${key}": token names are letters, digits and dashes`);
      } else if (typeof value !== "string" || /[;{}]/.test(value)) {
        report(`ignored appearance variable "${key}": the value must be one CSS value, without ; { or }`);
      } else {
        host.style.setProperty(`--paydesk-${name}`, value);
      }
    }
  }

  /**
   * Mounts the checkout for one order into `target` (an element or a CSS selector).
   * Resolves when the widget is on the page; rejects (and logs why) otherwise.
   */
  function mount(target, options) {
    const { clientToken, locale, appearance, onStatus } = options || {};
    let { mode = "embedded" } = options || {};
    let host;
    try {
      host = typeof target === "string" ? document.querySelector(target) : target;
    } catch (_) {
      return fail(`"${target}" is not a valid CSS selector`);
    }
    if (!(host instanceof HTMLElement)) {
      return fail("mount() needs an element on the page, or a selector that finds one");
    }
    if (typeof clientToken !== "string" || clientToken === "") {
      return fail("mount() needs the order's clientToken");
    }
    if (locale != null && typeof locale !== "string") {
      return fail('locale must be a language tag such as "en" or "zh-CN"');
    }
    if (!MODES.includes(mode)) {
      report(`unknown mode "${mode}"; use one of ${MODES.join(", ")} (using "embedded")`);
      mode = "embedded";
    }
    if (onStatus != null && typeof onStatus !== "function") {
      return fail("onStatus must be a function");
    }
    const state = mounts.get(host);
    if (state === "mounting" || state === "mounted") {
      return fail("a checkout is already mounted in this element; mount into a new element for another order");
    }
    let shadow = host.shadowRoot;
    if (state === "failed" && shadow) {
      shadow.replaceChildren();
    } else if (shadow) {
      return fail("this element already has a shadow root; mount the checkout into an empty element");
    } else {
      try {
        shadow = host.attachShadow({ mode: "open" });
      } catch (_) {
        return fail(`<${host.localName}> elements cannot hold the checkout; mount it into a <div>`);
      }
    }
    mounts.set(host, "mounting");
    applyAppearance(host, appearance);
    const lang = language(locale);
    // Asked for now, alongside the widget's files, rather than a round trip after
    // its WebAssembly starts; the widget reads the answer.
    const session = fetch(`${origin}/v1/widget/session?lang=${lang}`, {
      mode: "cors",
      headers: { Accept: "application/json", Authorization: `Bearer ${clientToken}` },
    });
    session.catch(() => {}); // the widget reports a failed request

    const style = secure(document.createElement("link"), "css");
    style.rel = "stylesheet";
    style.href = files.css;
    const styled = loaded(style);
    shadow.appendChild(style);

    const status = (detail) => {
      host.dispatchEvent(new CustomEvent("paydesk:status", { detail, bubbles: true, composed: true }));
      if (onStatus) {
        try {
          onStatus(detail);
        } catch (error) {
          report(`the onStatus callback threw: ${error}`);
        }
      }
    };

    return Promise.all([loadWidget(), styled])
      .then(([module]) => {
        const container = document.createElement("div");
        shadow.appendChild(container);
        module.mount(container, clientToken, origin, locale || undefined, mode, status, session);
        mounts.set(host, "mounted");
      })
      .catch((error) => {
        mounts.set(host, "failed");
        const alert = document.createElement("p");
        alert.className = "paydesk-alert";
        alert.setAttribute("role", "alert");
        alert.textContent = FAILED[lang];
        shadow.appendChild(alert);
        return fail(`could not start the checkout (${error && error.message ? error.message : error})`);
      });
  }

  const Paydesk = Object.freeze({ mount, version: versioned ? VERSION : "dev" });
  Object.defineProperty(window, "Paydesk", { value: Paydesk, enumerable: true });
  autoMount(Paydesk);

  // Mounts from this script tag's data attributes, if it has them.
  function autoMount(paydesk) {
    if (!script) {
      return;
    }
    const { clientToken, target, locale, theme, mode } = script.dataset;
    if (!clientToken && !target) {
      return;
    }
    if (!clientToken || !target) {
      report("the script tag needs both data-client-token and data-target");
      return;
    }
    const start = () => {
      const options = { clientToken, locale, appearance: theme ? { theme } : undefined };
      if (mode) {
        options.mode = mode;
      }
      paydesk.mount(target, options).catch(() => {
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
