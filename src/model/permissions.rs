//! Who may change what. Pure rules over ids, so they are tested without a database.
//!
//! Reading is open to everyone: spaces are public.

use uuid::Uuid;

/// Only a being's owner edits or deletes it. Beings with no owner (the Lobby) belong to the
/// server and no one changes them.
pub fn may_change_being(actor: Uuid, being_owner: Option<Uuid>) -> bool {
    being_owner == Some(actor)
}

/// An intention is edited by its owner, or by the owner of the being that owns it
/// (a bot's owner may correct the bot).
pub fn may_edit_intention(actor: Uuid, intention_owner: Uuid, owner_owner: Option<Uuid>) -> bool {
    actor == intention_owner || owner_owner == Some(actor)
}

/// A space is moderated by its owner, and by the operator's moderators (every space,
/// the Lobby included).
pub fn may_moderate(actor: Uuid, space_owner: Option<Uuid>, moderators: &[Uuid]) -> bool {
    space_owner == Some(actor) || moderators.contains(&actor)
}

/// A reply still streaming is stopped by the person whose message woke it, the bot's owner,
/// or whoever moderates its space.
pub fn may_stop_reply(
    actor: Uuid,
    waker: Option<Uuid>,
    bot_owner: Option<Uuid>,
    moderates_space: bool,
) -> bool {
    waker == Some(actor) || bot_owner == Some(actor) || moderates_space
}

/// An intention is deleted by whoever may edit it, or by whoever moderates its space.
pub fn may_delete_intention(
    actor: Uuid,
    intention_owner: Uuid,
    owner_owner: Option<Uuid>,
    moderates_space: bool,
) -> bool {
    may_edit_intention(actor, intention_owner, owner_owner) || moderates_space
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid) {
        (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4())
    }

    #[test]
    fn only_the_owner_changes_a_being() {
        let (me, other, _) = ids();
        assert!(may_change_being(me, Some(me)));
        assert!(!may_change_being(other, Some(me)));
    }

    #[test]
    fn nobody_changes_a_being_the_server_owns() {
        let (me, _, _) = ids();
        assert!(!may_change_being(me, None));
    }

    #[test]
    fn an_author_and_their_owner_edit_a_message() {
        let (me, bot, other) = ids();
        assert!(may_edit_intention(me, me, Some(me)));
        assert!(may_edit_intention(me, bot, Some(me)));
        assert!(!may_edit_intention(other, me, Some(me)));
    }

    #[test]
    fn a_space_owner_deletes_but_does_not_edit_others_messages() {
        let (author, space_owner, stranger) = ids();
        assert!(!may_edit_intention(space_owner, author, Some(author)));
        let moderates = |actor| may_moderate(actor, Some(space_owner), &[]);
        assert!(may_delete_intention(
            space_owner,
            author,
            Some(author),
            moderates(space_owner)
        ));
        assert!(!may_delete_intention(
            stranger,
            author,
            Some(author),
            moderates(stranger)
        ));
    }

    #[test]
    fn nobody_moderates_a_server_owned_space_but_the_operators_moderators() {
        let (moderator, stranger, _) = ids();
        assert!(!may_moderate(stranger, None, &[moderator]));
        assert!(may_moderate(moderator, None, &[moderator]));
        assert!(
            may_moderate(moderator, Some(stranger), &[moderator]),
            "anywhere"
        );
    }
}
