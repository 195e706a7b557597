//! axe-core, the accessibility engine, run inside the page under test. Its source is
//! handed to the page through WebDriver, which the page's Content-Security-Policy
//! does not govern, so the merchant's strict policy stays as it is.

use std::path::PathBuf;

use anyhow::Context;

use crate::Browser;

/// The environment variable naming axe-core's `axe.min.js` (`cargo xtask test` sets
/// it to the copy `cargo xtask setup` installs).
pub(crate) const AXE_ENV: &str = "PAYDESK_AXE";

/// The rules the widget is held to: WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus
/// axe's best practices.
const TAGS: [&str; 6] = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
];

/// What axe looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxeScope {
    /// The widget's host element and its shadow tree: the merchant's page around it
    /// is the merchant's business.
    Widget,
    /// The whole document (the gateway's hosted page, the bank's page).
    Page,
}

/// axe-core's source, read once.
#[derive(Debug, Clone)]
pub struct Axe {
    source: String,
}

const RUN: &str = r#"
const [scope, tags, done] = arguments;
let context = document;
if (scope === "widget") {
  context = Array.from(document.querySelectorAll("*"))
    .find((e) => e.shadowRoot && e.shadowRoot.querySelector("div.paydesk"));
  if (!context) { done({ error: "no widget on " + location.href }); return; }
}
axe.run(context, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
  .then((results) => done({ violations: results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => JSON.stringify(n.target) + "\n        " +
      (n.failureSummary || "").replace(/\n/g, "\n        ")),
  })) }))
  .catch((e) => done({ error: String(e && e.stack || e) }));
"#;

impl Axe {
    /// Reads axe-core from the file [`AXE_ENV`] names.
    pub fn from_env() -> anyhow::Result<Axe> {
        let path = std::env::var_os(AXE_ENV).map(PathBuf::from).with_context(|| {
            format!("{AXE_ENV} is not set: run `cargo xtask test`, or `cargo xtask setup` and point {AXE_ENV} at axe.min.js")
        })?;
        let source = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read axe-core at {}", path.display()))?;
        Ok(Axe { source })
    }
}

impl Browser {
    /// Runs axe on the current page and fails listing every violation (rule, impact,
    /// the elements and how to fix them). `step` names the page's state in the error.
    pub async fn expect_accessible(
        &self,
        axe: &Axe,
        scope: AxeScope,
        step: &str,
    ) -> anyhow::Result<()> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await?;
        if loaded != serde_json::Value::Bool(true) {
            self.client
                .execute(
                    &format!("{}\nreturn typeof window.axe;", axe.source),
                    vec![],
                )
                .await
                .context("injecting axe-core")?;
        }
        let scope = match scope {
            AxeScope::Widget => "widget",
            AxeScope::Page => "page",
        };
        let outcome = self
            .client
            .execute_async(RUN, vec![scope.into(), serde_json::json!(TAGS)])
            .await
            .context("running axe-core")?;
        if let Some(error) = outcome.get("error") {
            anyhow::bail!("axe-core could not run at step `{step}`: {error}");
        }
        let violations = outcome["violations"]
            .as_array()
            .context("axe-core returned no violations list")?;
        if violations.is_empty() {
            return Ok(());
        }
        let mut report = format!(
            "axe-core found {} violation(s) at step `{step}`:\n",
            violations.len()
        );
        for v in violations {
            report += &format!(
                "  {} ({}): {} {}\n",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or_default(),
                v["helpUrl"].as_str().unwrap_or_default(),
            );
            for node in v["nodes"].as_array().into_iter().flatten() {
                report += &format!("      {}\n", node.as_str().unwrap_or_default());
            }
        }
        anyhow::bail!(report)
    }
}
