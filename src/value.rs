//! [`OwnedValue`]: an owned `log` key-value that keeps its type; shared by
//! queued record copies, span fields and `tracing` event fields.

/// A key-value (or span field) with its type kept, so a formatter renders a
/// copied record as it would have rendered the original (numbers stay numbers
/// in JSON).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OwnedValue {
    Null,
    Bool(bool),
    Char(char),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Str(Box<str>),
}

impl OwnedValue {
    pub(crate) fn capture(value: &log::kv::Value<'_>) -> OwnedValue {
        struct Capture(Option<OwnedValue>);
        impl<'v> log::kv::VisitValue<'v> for Capture {
            fn visit_any(&mut self, value: log::kv::Value<'_>) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Str(value.to_string().into_boxed_str()));
                Ok(())
            }
            fn visit_null(&mut self) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Null);
                Ok(())
            }
            fn visit_u64(&mut self, v: u64) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::U64(v));
                Ok(())
            }
            fn visit_i64(&mut self, v: i64) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::I64(v));
                Ok(())
            }
            fn visit_u128(&mut self, v: u128) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::U128(v));
                Ok(())
            }
            fn visit_i128(&mut self, v: i128) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::I128(v));
                Ok(())
            }
            fn visit_f64(&mut self, v: f64) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::F64(v));
                Ok(())
            }
            fn visit_bool(&mut self, v: bool) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Bool(v));
                Ok(())
            }
            fn visit_str(&mut self, v: &str) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Str(v.into()));
                Ok(())
            }
            fn visit_char(&mut self, v: char) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Char(v));
                Ok(())
            }
        }
        let mut c = Capture(None);
        let _ = value.visit(&mut c);
        c.0.unwrap_or_else(|| OwnedValue::Str(value.to_string().into_boxed_str()))
    }

    pub(crate) fn to_value(&self) -> log::kv::Value<'_> {
        use log::kv::Value;
        match self {
            OwnedValue::Null => Value::null(),
            OwnedValue::Bool(v) => Value::from(*v),
            OwnedValue::Char(v) => Value::from(*v),
            OwnedValue::I64(v) => Value::from(*v),
            OwnedValue::U64(v) => Value::from(*v),
            OwnedValue::I128(v) => Value::from(*v),
            OwnedValue::U128(v) => Value::from(*v),
            OwnedValue::F64(v) => Value::from(*v),
            OwnedValue::Str(v) => Value::from(&**v),
        }
    }
}
