//! Mounting and fixtures shared by the component tests. No network: every component
//! gets its data as props.

#![allow(dead_code, unreachable_pub)]

use leptos::mount::mount_to;
use leptos::prelude::*;
use paydesk_shared::api::{
    BankOption, CardAvailability, LineItem, Unavailable, WidgetOrder, WidgetSession,
};
use paydesk_shared::{Currency, OrderStatus};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

/// A mounted view; it is removed from the page when dropped.
pub struct Mounted {
    pub root: HtmlElement,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

pub fn mount<F, V>(view: F) -> Mounted
where
    F: FnOnce() -> V + 'static,
    V: IntoView + 'static,
{
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), view);
    Mounted {
        root,
        _handle: Box::new(handle),
    }
}

impl Mounted {
    pub fn find(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    pub fn find_all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.unchecked_into())
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.find(selector).text_content().unwrap_or_default()
    }

    pub fn click(&self, selector: &str) {
        self.find(selector).unchecked_into::<HtmlElement>().click();
    }

    /// The `data-bank` of the element that has the focus.
    pub fn focused_bank(&self) -> Option<String> {
        document().active_element()?.get_attribute("data-bank")
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Presses `key` on the focused element, as a keyboard would.
pub fn press(key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    let target = document()
        .active_element()
        .expect("something has the focus");
    target.dispatch_event(&event).unwrap();
}

/// Waits, up to `deadline_ms`, until `condition` holds; false if it never does.
pub async fn wait_until(deadline_ms: u32, condition: impl Fn() -> bool) -> bool {
    let mut waited = 0;
    while !condition() {
        if waited >= deadline_ms {
            return false;
        }
        sleep_ms(50).await;
        waited += 50;
    }
    true
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

pub fn item(name: &str, quantity: u32, unit_price: &str, line_total: &str) -> LineItem {
    LineItem {
        name: name.into(),
        quantity,
        unit_price: unit_price.into(),
        line_total: line_total.into(),
        image_url: None,
    }
}

pub fn order(currency: Currency, items: Vec<LineItem>, total: &str) -> WidgetOrder {
    WidgetOrder {
        id: "ord_test".into(),
        merchant_name: "Demo Shop".into(),
        status: OrderStatus::Created,
        currency,
        items,
        total: total.into(),
        expires_at: "2030-01-01T00:00:00Z".into(),
        last_attempt: None,
        receipt_url: None,
        awaiting_bank: false,
        extra_payment_refunded: false,
    }
}

pub fn available(limit: &str) -> CardAvailability {
    CardAvailability {
        limit: Some(limit.into()),
        unavailable: None,
    }
}

pub fn unavailable(reason: Unavailable, limit: Option<&str>) -> CardAvailability {
    CardAvailability {
        limit: limit.map(Into::into),
        unavailable: Some(reason),
    }
}

pub fn bank(
    code: &str,
    name_en: &str,
    name_zh: &str,
    popular: bool,
    debit: CardAvailability,
    credit: CardAvailability,
) -> BankOption {
    BankOption {
        code: code.into(),
        name_en: name_en.into(),
        name_zh: name_zh.into(),
        pinyin: String::new(),
        colour: "#c7000b".into(),
        popular,
        debit,
        credit,
    }
}

/// ICBC takes both kinds; ABC is over its debit limit and takes no credit cards;
/// CMB (not popular) is in maintenance.
pub fn banks() -> Vec<BankOption> {
    let pinyin = [
        "zhao shang yin hang",
        "zhong guo gong shang yin hang",
        "zhong guo nong ye yin hang",
    ];
    let mut banks = vec![
        bank(
            "CMB",
            "China Merchants Bank",
            "招商银行",
            false,
            unavailable(Unavailable::Maintenance, Some("50000.00")),
            unavailable(Unavailable::Maintenance, Some("50000.00")),
        ),
        bank(
            "ICBC",
            "Industrial and Commercial Bank of China",
            "中国工商银行",
            true,
            available("50000.00"),
            available("20000.00"),
        ),
        bank(
            "ABC",
            "Agricultural Bank of China",
            "中国农业银行",
            true,
            unavailable(Unavailable::OverLimit, Some("20.00")),
            unavailable(Unavailable::NotSupported, None),
        ),
    ];
    for (bank, pinyin) in banks.iter_mut().zip(pinyin) {
        bank.pinyin = pinyin.into();
    }
    banks
}

pub fn session() -> WidgetSession {
    WidgetSession {
        order: order(
            Currency::Cny,
            vec![item("Tea", 2, "12.50", "25.00")],
            "25.00",
        ),
        banks: banks(),
    }
}
