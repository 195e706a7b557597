//! A phone on a mobile network, as Chrome's DevTools emulate one: the CPU four times
//! slower and "Slow 4G" (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up).

use std::time::Duration;

use crate::{Browser, driver};

/// How many times slower the phone's CPU runs than this machine's.
const PHONE_CPU_SLOWDOWN: u32 = 4;
/// Slow 4G's round trip.
const PHONE_LATENCY: Duration = Duration::from_millis(150);
/// Slow 4G's throughput, bits per second.
const PHONE_DOWN_BITS: i64 = 1_600_000;
const PHONE_UP_BITS: i64 = 750_000;

impl Browser {
    /// From now on, the current tab runs as on a phone on Slow 4G.
    pub async fn emulate_phone(&self) -> anyhow::Result<()> {
        driver::cdp(
            &self.client,
            "Emulation.setCPUThrottlingRate",
            serde_json::json!({ "rate": PHONE_CPU_SLOWDOWN }),
        )
        .await?;
        driver::emulate_network(
            &self.client,
            PHONE_LATENCY,
            PHONE_DOWN_BITS / 8,
            PHONE_UP_BITS / 8,
        )
        .await
    }
}
