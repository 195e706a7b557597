/*
 * The theming page: mounts the Paydesk widget on the sample order, applies every
 * edit of the token form to it live, and writes the matching `Paydesk.mount`
 * snippet.
 *
 * Everything this script knows about the tokens comes from the form the server
 * rendered: each control has `data-token` (the custom property's name without
 * `--paydesk-`), `data-default` (the stylesheet's value) and, for sliders,
 * `data-unit`. Edits go through the CSSOM (`style.setProperty`) and an attribute,
 * which the page's strict Content-Security-Policy allows; there is no inline style.
 */
(() => {
  "use strict";

  const form = document.getElementById("theme-form");
  const preview = document.getElementById("theme-preview");
  const snippet = document.querySelector("#theme-snippet code");
  const copyButton = document.querySelector('[data-action="copy-snippet"]');
  const resetButton = document.querySelector('[data-action="reset-tokens"]');
  const copyStatus = document.getElementById("copy-status");
  const problem = document.getElementById("theme-problem");
  if (!form || !preview || !snippet) {
    return;
  }

  const clientToken = preview.dataset.clientToken;
  const tokens = Array.from(form.querySelectorAll("[data-token]"));
  const themeSelect = form.querySelector('[data-setting="theme"]');
  const localeSelect = form.querySelector('[data-setting="locale"]');
  const targetId = "paydesk-checkout";
  let host = document.getElementById(targetId);

  /** The CSS value a control stands for: sliders hold a number, the unit is separate. */
  function valueOf(control) {
    return control.value + (control.dataset.unit || "");
  }

  function isDefault(control) {
    return valueOf(control).toLowerCase() === control.dataset.default.toLowerCase();
  }

  /** `color-primary` → `colorPrimary`, as the snippet writes variable names. */
  function camelCase(name) {
    return name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
  }

  /** Only what differs from the stylesheet: the snippet stays short and honest. */
  function changedVariables() {
    const variables = {};
    for (const control of tokens) {
      if (!isDefault(control)) {
        variables[camelCase(control.dataset.token)] = valueOf(control);
      }
    }
    return variables;
  }

  function appearance() {
    return { theme: themeSelect.value, variables: changedVariables() };
  }

  function showProblem(message) {
    problem.textContent = message;
    problem.hidden = false;
  }

  /**
   * Mounts the widget into a fresh host element. The loader mounts once per
   * element, so a new language means a new element, with every edit so far passed
   * through `appearance`.
   */
  function mountWidget() {
    const fresh = document.createElement("div");
    fresh.id = targetId;
    if (host) {
      host.replaceWith(fresh);
    } else {
      preview.append(fresh);
    }
    host = fresh;
    if (!window.Paydesk || typeof window.Paydesk.mount !== "function") {
      showProblem("The Paydesk loader did not load, so the preview cannot start. Is the gateway running?");
      return;
    }
    problem.hidden = true;
    const options = { clientToken, appearance: appearance() };
    if (localeSelect.value) {
      options.locale = localeSelect.value;
    }
    window.Paydesk.mount(host, options).catch((error) => {
      showProblem(`The preview could not start: ${error && error.message ? error.message : error}`);
    });
  }

  function updateOutput(control) {
    const output = form.querySelector(`output[data-output-for="${control.dataset.token}"]`);
    if (output) {
      output.textContent = valueOf(control);
    }
  }

  /** One edit, applied to the mounted widget as the loader applies `variables`. */
  function applyToken(control) {
    updateOutput(control);
    const property = `--paydesk-${control.dataset.token}`;
    if (isDefault(control)) {
      host.style.removeProperty(property);
    } else {
      host.style.setProperty(property, valueOf(control));
    }
  }

  function quote(value) {
    return JSON.stringify(value);
  }

  /** The same text the server renders for the starting point, plus every edit. */
  function renderSnippet() {
    const { theme, variables } = appearance();
    const lines = [
      "// clientToken: the order's client_token from your server's POST /v1/orders",
      `Paydesk.mount(document.querySelector(${quote(`#${targetId}`)}), {`,
      "  clientToken,",
    ];
    if (localeSelect.value) {
      lines.push(`  locale: ${quote(localeSelect.value)},`);
    }
    lines.push("  appearance: {", `    theme: ${quote(theme)},`);
    const names = Object.keys(variables);
    if (names.length === 0) {
      lines.push("    variables: {},");
    } else {
      lines.push("    variables: {");
      for (const name of names) {
        lines.push(`      ${name}: ${quote(variables[name])},`);
      }
      lines.push("    },");
    }
    lines.push("  },", "});");
    snippet.textContent = lines.join("\n");
    copyStatus.textContent = "";
  }

  form.addEventListener("input", (event) => {
    const control = event.target;
    if (control === themeSelect) {
      host.setAttribute("data-paydesk-theme", themeSelect.value);
    } else if (control === localeSelect) {
      mountWidget();
    } else if (control.dataset.token) {
      applyToken(control);
    }
    renderSnippet();
  });

  // No submit: every change applies at once, and Enter in a field must not reload.
  form.addEventListener("submit", (event) => event.preventDefault());

  resetButton.addEventListener("click", () => {
    for (const control of tokens) {
      const unit = control.dataset.unit || "";
      const value = control.dataset.default;
      control.value = unit && value.endsWith(unit) ? value.slice(0, -unit.length) : value;
      applyToken(control);
    }
    renderSnippet();
  });

  copyButton.addEventListener("click", () => {
    const text = snippet.textContent;
    const copied = navigator.clipboard
      ? navigator.clipboard.writeText(text)
      : Promise.reject(new Error("no clipboard"));
    copied.then(
      () => {
        copyStatus.textContent = "Copied.";
      },
      () => {
        // Without clipboard access (an insecure origin, a denied permission) select
        // the text so one keystroke copies it.
        const range = document.createRange();
        range.selectNodeContents(snippet);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        copyStatus.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
      },
    );
  });

  for (const control of tokens) {
    updateOutput(control);
  }
  renderSnippet();
  mountWidget();
})();
