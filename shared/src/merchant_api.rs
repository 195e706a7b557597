//! Merchants as the operator API creates and shows them, and the merchant's own view
//! of its account (`/v1/operator/merchants…`, `/v1/account`, `/v1/return_urls`).

use serde::{Deserialize, Serialize};

/// Where a merchant's payouts go: an account number at one bank of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettlementAccountBody {
    /// A bank code of the directory (`ICBC`).
    pub bank: String,
    /// 6 to 19 digits.
    pub account_number: String,
}

/// Which world a secret key acts in. Test keys (`sk_test_…`) may also drive payments
/// through the sandbox bank with the test helpers; live keys (`sk_live_…`) may not.
/// Keys minted before modes existed (`sk_…`) count as live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyMode {
    #[default]
    Test,
    Live,
}

impl KeyMode {
    /// What every key of this mode starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyMode::Test => "sk_test_",
            KeyMode::Live => "sk_live_",
        }
    }

    /// The mode of a secret key, read from its prefix (the key's rest is random).
    pub fn of(secret_key: &str) -> KeyMode {
        if secret_key.starts_with(KeyMode::Test.prefix()) {
            KeyMode::Test
        } else {
            KeyMode::Live
        }
    }
}

/// `POST /v1/operator/merchants/{id}/keys`, whose body may be left out (a test key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueKeyRequest {
    #[serde(default)]
    pub mode: KeyMode,
}

/// `POST /v1/operator/merchants`. `fee_plan` is the gateway's `FeePlan` JSON
/// (`{"debit": {"basis_points", "fixed", "minimum", "maximum"}, "credit": {…}}`,
/// amounts as decimal strings in major units); without it, the default plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateMerchantRequest {
    pub name: String,
    pub settlement_account: SettlementAccountBody,
    #[serde(default)]
    pub return_urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_plan: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// The mode of the merchant's first secret key; `test` if absent.
    #[serde(default)]
    pub key_mode: KeyMode,
}

/// A merchant as the operator sees it (`secret_key` only in the creation's answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantResponse {
    pub id: String,
    pub object: String,
    pub name: String,
    pub settlement_account: Option<SettlementAccountBody>,
    pub return_urls: Vec<String>,
    pub fee_plan: serde_json::Value,
    pub created_at: String,
    /// Shown once, when the merchant is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    /// The first webhook endpoint's signing secret, shown once with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantList {
    pub data: Vec<MerchantResponse>,
    pub has_more: bool,
}

/// One of a merchant's secret keys; the key itself only in the answer that issues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyResponse {
    pub id: String,
    pub object: String,
    pub last4: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyList {
    pub data: Vec<KeyResponse>,
}

/// `POST /v1/return_urls`: registers one more return URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnUrlRequest {
    pub url: String,
}

/// `GET /v1/return_urls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnUrlList {
    pub data: Vec<String>,
}
