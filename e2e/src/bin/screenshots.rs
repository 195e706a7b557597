//! Screenshots of every checkout step at phone, tablet and desktop widths, light and
//! dark, as full-page PNGs: `screenshots --out DIR`. Fails if a page scrolls
//! sideways at phone width. `cargo xtask screenshots` builds the widget and runs this.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use paydesk_e2e::{
    AtStep, Browser, BrowserOptions, Mode, Stack, StackOptions, Step, tour, tour_expired,
};

const WIDTHS: [u32; 3] = [360, 768, 1280];
const PHONE: u32 = 360;
const SCHEMES: [&str; 2] = ["light", "dark"];

/// Saves each step as `{width}px-{scheme}-{nn}-{step}.png` and notes sideways
/// scrolling at phone width.
struct Camera {
    out: PathBuf,
    width: u32,
    scheme: &'static str,
    shots: u32,
    sideways: Vec<String>,
}

impl Camera {
    async fn shoot(&mut self, browser: &Browser, name: &str) -> anyhow::Result<()> {
        self.shots += 1;
        let file = self.out.join(format!(
            "{}px-{}-{:02}-{name}.png",
            self.width, self.scheme, self.shots
        ));
        let png = browser.full_page_png().await?;
        std::fs::write(&file, png).with_context(|| format!("writing {}", file.display()))?;
        if self.width == PHONE
            && let Some((scroll, client)) = browser.horizontal_overflow().await?
        {
            self.sideways.push(format!(
                "{}: the page is {scroll} px wide in a {client} px viewport",
                file.display()
            ));
        }
        println!("  {}", file.display());
        Ok(())
    }
}

impl AtStep for Camera {
    async fn at(&mut self, browser: &Browser, step: Step) -> anyhow::Result<()> {
        self.shoot(browser, step.name()).await
    }
}

async fn shoot_all(out: &Path) -> anyhow::Result<Vec<String>> {
    let stack = Stack::start().await?;
    let expiring = Stack::start_with(StackOptions {
        order_ttl: Duration::from_secs(8),
        ..StackOptions::default()
    })
    .await?;
    let mut sideways = Vec::new();
    for width in WIDTHS {
        for scheme in SCHEMES {
            let mut options = BrowserOptions::width(width);
            if scheme == "dark" {
                options = options.dark();
            }
            let browser = Browser::start_with(&options).await?;
            let mut camera = Camera {
                out: out.to_path_buf(),
                width,
                scheme,
                shots: 0,
                sideways: Vec::new(),
            };
            let theme = Some(scheme);
            tour(&browser, &stack, Mode::Embedded, theme, &mut camera).await?;
            tour_expired(&browser, &expiring, Mode::Embedded, theme, &mut camera).await?;
            browser.start_checkout(&stack, Mode::Hosted, None).await?;
            camera.shoot(&browser, "hosted").await?;
            browser.close().await?;
            sideways.append(&mut camera.sideways);
        }
    }
    Ok(sideways)
}

fn out_dir() -> anyhow::Result<PathBuf> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(PathBuf::from("target/screenshots")),
        [flag, dir] if flag == "--out" => Ok(PathBuf::from(dir)),
        _ => anyhow::bail!("usage: screenshots [--out DIR]"),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let run = async {
        let out = out_dir()?;
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        println!("screenshots → {}", out.display());
        let sideways = shoot_all(&out).await?;
        anyhow::ensure!(
            sideways.is_empty(),
            "pages scroll sideways at {PHONE} px:\n  {}",
            sideways.join("\n  ")
        );
        Ok::<_, anyhow::Error>(())
    };
    match run.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
