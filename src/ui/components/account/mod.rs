//! Your identity, on the profile and sign-in pages: passkeys, providers, sign-in links and the
//! devices signed in as you.

mod confirm;
mod passkey_sign_in;
mod passkeys;
mod providers;
mod sessions;
mod sign_in_link;

pub use passkey_sign_in::PasskeySignIn;
pub use passkeys::Passkeys;
pub use providers::Providers;
pub use sessions::Sessions;
pub use sign_in_link::SignInLinks;
