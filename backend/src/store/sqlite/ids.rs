//! The domain's typed ids as SQLite text columns.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Sqlite, Type};

use crate::domain::ids::{
    AlertId, AttemptId, BalanceTransactionId, EndpointId, EventId, KeyId, MerchantId, OrderId,
    PayoutId, RefundId, SettlementId,
};

macro_rules! text_column {
    ($($id:ty),* $(,)?) => {$(
        impl Type<Sqlite> for $id {
            fn type_info() -> SqliteTypeInfo {
                <String as Type<Sqlite>>::type_info()
            }

            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <String as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $id {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Sqlite>>::encode(self.as_str().to_owned(), buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $id {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                <String as Decode<'r, Sqlite>>::decode(value).map(<$id>::from)
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
