//! Integration tests: one binary, one module per area.

mod dispatch;
mod python_oracle;
mod readme;
