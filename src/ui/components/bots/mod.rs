//! Bots in the page: adding one to a space ([`AddBot`]), the form of its settings
//! ([`BotSettingsForm`]), and its owner's page (`ui/pages/bot.rs`).

mod add_bot;
mod settings_form;

pub use add_bot::AddBot;
pub use settings_form::BotSettingsForm;
