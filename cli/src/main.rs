//! `paydesk`: the merchant's command line for the Paydesk gateway.

mod api;
mod clock;
mod events;
mod listen;
mod orders;
mod sse;
mod trigger;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::api::{Api, Refusal};

#[derive(Parser)]
#[command(
    name = "paydesk",
    version,
    about = "The merchant's command line for the Paydesk gateway",
    after_help = "Examples:\n  paydesk listen --forward-to http://localhost:4242/webhooks\n  paydesk trigger order.paid\n  paydesk orders create --amount 25.00\n  paydesk events list --type order.paid"
)]
struct Cli {
    /// The gateway.
    #[arg(
        long,
        env = "PAYDESK_API_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    api_url: String,
    /// Your secret key (`sk_test_…` for listen's test events and for trigger).
    #[arg(
        long,
        env = "PAYDESK_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    api_key: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Forward your events, as they happen, to a local URL, signed as webhooks are.
    Listen {
        /// Where to POST each event (your webhook handler on this machine).
        #[arg(long)]
        forward_to: String,
        /// Sign with this secret (`whsec_…`) rather than a new one for the session.
        #[arg(long, env = "PAYDESK_LISTEN_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// Only these event types, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
    },
    /// Make a test order produce an event: order.paid, order.failed, order.cancelled,
    /// order.expired, refund.succeeded or refund.failed.
    Trigger {
        event_type: String,
        /// The order's return URL (default: your first registered one).
        #[arg(long)]
        return_url: Option<String>,
    },
    /// Orders.
    #[command(subcommand)]
    Orders(OrdersCommand),
    /// Events, as webhooks deliver them.
    #[command(subcommand)]
    Events(EventsCommand),
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// Create an order of one item.
    Create {
        /// Decimal string in major units: 25.00 is ¥25.
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "CNY")]
        currency: String,
        /// The item's name.
        #[arg(long, default_value = "Order from the Paydesk CLI")]
        description: String,
        /// Your own reference for it (default: a new one).
        #[arg(long)]
        reference: Option<String>,
        /// Default: your first registered return URL.
        #[arg(long)]
        return_url: Option<String>,
        /// Print the gateway's JSON answer.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Your events, newest first.
    List {
        #[arg(long = "type")]
        event_type: Option<String>,
        #[arg(long = "order")]
        order_id: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print the gateway's JSON answer.
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<Refusal>() {
                Some(refusal) => eprintln!("error: the gateway refused: {refusal}"),
                None => eprintln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(key) = cli.api_key else {
        anyhow::bail!("no secret key: pass --api-key sk_test_… or set PAYDESK_SECRET_KEY");
    };
    let api = Api::new(&cli.api_url, &key)?;
    match cli.command {
        Command::Listen {
            forward_to,
            secret,
            events,
        } => {
            let listen = listen::Listen {
                forward_to,
                secret,
                events,
            };
            tokio::select! {
                done = listen::run(&api, listen) => done,
                _ = tokio::signal::ctrl_c() => Ok(()),
            }
        }
        Command::Trigger {
            event_type,
            return_url,
        } => trigger::run(&api, &event_type, return_url).await,
        Command::Orders(OrdersCommand::Create {
            amount,
            currency,
            description,
            reference,
            return_url,
            json,
        }) => {
            let new = orders::NewOrder {
                amount,
                currency,
                description,
                reference,
                return_url,
            };
            let order = orders::create(&api, &new).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&order)?);
            } else {
                orders::show(&order);
            }
            Ok(())
        }
        Command::Events(EventsCommand::List {
            event_type,
            order_id,
            limit,
            json,
        }) => {
            let filter = events::Filter {
                event_type,
                order_id,
                limit,
            };
            let events = events::list(&api, &filter).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&events)?);
            } else {
                events::show(&events);
            }
            Ok(())
        }
    }
}
