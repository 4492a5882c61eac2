//! Signing another device in as you: a link (and its QR code) that works once, for five
//! minutes, and can be cancelled. Whoever has it before it is used can become you; the page
//! says so.

use leptos::prelude::*;

use crate::api::{CancelSignInLink, MakeSignInLink};
use crate::model::{ShownLink, SignInLinkInfo};
use crate::ui::components::{Clock, ErrorNote};

#[component]
pub fn SignInLinks(links: Vec<SignInLinkInfo>, changed: Callback<()>) -> impl IntoView {
    let make = ServerAction::<MakeSignInLink>::new();
    let cancel = ServerAction::<CancelSignInLink>::new();
    // The new link is shown by the page itself: without JavaScript it would be made unseen.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    Effect::new(move |_| {
        if let Some(Ok(())) = cancel.value().get() {
            make.value().set(None);
            changed.run(());
        }
    });
    view! {
        <section class="card" aria-labelledby="link-heading">
            <h2 id="link-heading">"Sign in on another device"</h2>
            <p class="hint">
                "Make a link, then open it (or scan its code) on the other device. It works once, "
                "for five minutes. "
                <strong>"Anyone who gets it before then can become you"</strong>
                ": share it with nobody, and cancel it if it went astray."
            </p>
            <ActionForm action=make attr:class="inline-form">
                <button type="submit" disabled=move || !ready.get()>"Make a sign-in link"</button>
            </ActionForm>
            <Show when=move || !ready.get()>
                <p class="hint">"Making a sign-in link needs JavaScript, which is off here."</p>
            </Show>
            {move || make.value().get().map(|made| match made {
                Ok(shown) => view! { <ShownSignInLink shown cancel /> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
            {(!links.is_empty()).then(|| view! {
                <h3>"Links not used yet"</h3>
                <ul class="rows" aria-label="Sign-in links not used yet">
                    {links.into_iter().map(|link| view! {
                        <li class="row-item">
                            <span class="hint">"works until " <Clock at=link.expires_at date=true /></span>
                            <ActionForm action=cancel attr:class="inline">
                                <input type="hidden" name="id" value=link.id.to_string() />
                                <button type="submit" class="link danger">"Cancel"</button>
                            </ActionForm>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {move || cancel.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        </section>
    }
}

/// The link just made: its code, its address, when it stops working, and cancelling it.
#[component]
fn ShownSignInLink(shown: ShownLink, cancel: ServerAction<CancelSignInLink>) -> impl IntoView {
    let ShownLink { link, qr } = shown;
    // A quiet zone of four modules around the code, as scanners expect.
    let view_box = format!("-4 -4 {} {}", qr.size + 8, qr.size + 8);
    view! {
        <div class="shown-link">
            <svg class="qr" viewBox=view_box role="img" aria-label="QR code of the sign-in link">
                <rect x="-4" y="-4" width="100%" height="100%" fill="#fff" />
                <path d=qr.path fill="#000" />
            </svg>
            <p>
                <label for="sign-in-link">"Sign-in link"</label>
                <input id="sign-in-link" readonly value=link.url.clone() size="40" />
            </p>
            <p class="hint">"Works once, until " <Clock at=link.expires_at date=true /> "."</p>
            <ActionForm action=cancel attr:class="inline">
                <input type="hidden" name="id" value=link.id.to_string() />
                <button type="submit" class="link danger">"Cancel this link"</button>
            </ActionForm>
        </div>
    }
}
