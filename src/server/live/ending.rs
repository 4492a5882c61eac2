//! Why a live stream ended: the reason its log line gives and its metric counts by.

/// Why a stream ended, as its log line and the metrics say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// More than its limit of frames behind: cut off.
    TooFarBehind,
    /// The log no longer holds what it needs next: it resumes with a reset.
    Expired,
    /// A frame did not follow on from the last: it resumes by cursor.
    Gap,
    SpaceDeleted,
    /// Its session ended (signed out, or replaced).
    SessionEnded,
    /// Writing to the client failed.
    WriteFailed,
    /// The server is shutting down, or the stream was let go.
    ShutDown,
    /// The client closed its connection.
    ClientGone,
    /// The client's socket stayed full, taking nothing, for the write timeout.
    ClientStoppedReading,
}

impl Ending {
    pub const ALL: [Ending; 9] = [
        Ending::TooFarBehind,
        Ending::Expired,
        Ending::Gap,
        Ending::SpaceDeleted,
        Ending::SessionEnded,
        Ending::WriteFailed,
        Ending::ShutDown,
        Ending::ClientGone,
        Ending::ClientStoppedReading,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Ending::TooFarBehind => "too_far_behind",
            Ending::Expired => "expired",
            Ending::Gap => "gap",
            Ending::SpaceDeleted => "space_deleted",
            Ending::SessionEnded => "session_ended",
            Ending::WriteFailed => "write_failed",
            Ending::ShutDown => "shut_down",
            Ending::ClientGone => "client_gone",
            Ending::ClientStoppedReading => "client_stopped_reading",
        }
    }
}
