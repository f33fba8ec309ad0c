//! Reports read back from the store, as `watchkeeper history` and `watchkeeper audit` print
//! them: pure functions from domain records to text, CSV or JSON.

pub mod audit;
pub mod history;
