//! The domain's typed ids as PostgreSQL text columns.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::domain::ids::{
    AlertId, AttemptId, BalanceTransactionId, EndpointId, EventId, KeyId, MerchantId, OrderId,
    PayoutId, RefundId, SettlementId,
};

macro_rules! text_column {
    ($($id:ty),* $(,)?) => {$(
        impl Type<Postgres> for $id {
            fn type_info() -> PgTypeInfo {
                <String as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <String as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $id {
            fn array_type_info() -> PgTypeInfo {
                <String as PgHasArrayType>::array_type_info()
            }
        }

        impl Encode<'_, Postgres> for $id {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'_, Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $id {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                <String as Decode<'r, Postgres>>::decode(value).map(<$id>::from)
            }
        }
    )*};
}

text_column!(
    OrderId,
    AttemptId,
    MerchantId,
    RefundId,
    EventId,
    EndpointId,
    AlertId,
    KeyId,
    BalanceTransactionId,
    SettlementId,
    PayoutId,
);
