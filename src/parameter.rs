//! The contract every operation's parameter error keeps, so that [`crate::error::ApiError`]
//! can carry it as a 400 whatever the operation (and low enough in the house that the
//! parsers of `expires_in` and `grace` in [`crate::lifetime`] need nothing above them).

/// An invalid query parameter of an operation (400), defined by the operation that parses
/// it (e.g. [`crate::api::list::ParamError`]): its `Display` is the client's message, plain
/// English naming the parameter; [`ParameterError::reason`] the log line's reason class.
pub trait ParameterError: std::error::Error + Send + Sync + 'static {
    /// A short stable name for the log line's `reason` field.
    fn reason(&self) -> &'static str;
}
