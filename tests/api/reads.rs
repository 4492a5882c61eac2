//! Reading everything a visitor can read, page by page: the spaces, a space's beings and
//! intentions, and a whole picture of them to compare before and after a refused write.

use serde_json::{Map, Value, json};

use crate::contract::{assert_being, assert_intention};
use crate::helpers::{TestApp, id_of, send};
use crate::reply::Reply;

impl TestApp {
    /// Every space, oldest first, read page by page.
    pub async fn spaces(&self) -> Vec<Value> {
        let spaces = self.every_page("/api/spaces").await;
        spaces.iter().for_each(assert_being);
        spaces
    }

    /// Every item of a paged list (`{"items", "next"}`, followed by `?after=`), in order.
    pub async fn every_page(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut url = reqwest::Url::parse(&self.url(path)).expect("a valid URL");
            url.query_pairs_mut().append_pair("limit", "200");
            if let Some(after) = &after {
                url.query_pairs_mut().append_pair("after", after);
            }
            let page = send(self.anon.get(url)).await.expect(200);
            let page_items = page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{path} should give a page with items: {page}"));
            items.extend(page_items.iter().cloned());
            match &page["next"] {
                Value::Null => return items,
                Value::String(next) => after = Some(next.clone()),
                other => panic!("next should be a string cursor or null, got {other}"),
            }
            assert!(items.len() <= 100_000, "paging does not end");
        }
    }

    pub async fn beings_in(&self, space_id: &str) -> Vec<Value> {
        let mut beings = self.beings_with_presence(space_id).await;
        // The Being part of each row is what most tests compare.
        for being in &mut beings {
            being.as_object_mut().map(|b| b.remove("online"));
        }
        beings
    }

    /// `GET /api/spaces/{id}/beings` as it is: each Being with whether it is online there.
    pub async fn beings_with_presence(&self, space_id: &str) -> Vec<Value> {
        let beings = self
            .every_page(&format!("/api/spaces/{space_id}/beings"))
            .await;
        for being in &beings {
            assert!(
                being["online"].is_boolean(),
                "every being in a space says whether it is online: {being}"
            );
            assert_being(being);
        }
        beings
    }

    /// One page of a space's intentions; `limit` and `before` are passed through as given.
    pub async fn page(&self, space_id: &str, limit: Option<&str>, before: Option<&str>) -> Reply {
        let mut url = reqwest::Url::parse(&self.url(&format!("/api/spaces/{space_id}/intentions")))
            .expect("a valid URL");
        if let Some(limit) = limit {
            url.query_pairs_mut().append_pair("limit", limit);
        }
        if let Some(before) = before {
            url.query_pairs_mut().append_pair("before", before);
        }
        send(self.anon.get(url)).await
    }

    /// Every intention in a space, newest first, read page by page (pages of 200).
    pub async fn intentions(&self, space_id: &str) -> Vec<Value> {
        self.read_pages(space_id, None).await
    }

    /// Every intention older than `cursor`, newest first, following `next` to the end.
    pub async fn all_intentions_before(&self, space_id: &str, cursor: &str) -> Vec<Value> {
        self.read_pages(space_id, Some(cursor.to_owned())).await
    }

    async fn read_pages(&self, space_id: &str, mut before: Option<String>) -> Vec<Value> {
        let mut items = Vec::new();
        loop {
            let page = self
                .page(space_id, Some("200"), before.as_deref())
                .await
                .expect(200);
            let page_items = page["items"].as_array().expect("a page has an items array");
            page_items.iter().for_each(assert_intention);
            items.extend(page_items.iter().cloned());
            match &page["next"] {
                Value::Null => return items,
                Value::String(next) => before = Some(next.clone()),
                other => panic!("next should be a string cursor or null, got {other}"),
            }
            assert!(items.len() <= 100_000, "paging does not end");
        }
    }

    /// Everything a visitor can read: all spaces with their beings and intentions, plus the
    /// beings named by `ids` (status and body, so a deleted one shows as a 404). Taken before
    /// and after a rejected write to prove the write changed nothing.
    pub async fn snapshot(&self, ids: &[&str]) -> Value {
        let spaces = self.spaces().await;
        let mut inside = Map::new();
        for space in &spaces {
            let id = id_of(space);
            let mut beings = self.beings_in(&id).await;
            beings.sort_by_key(id_of);
            let intentions = self.intentions(&id).await;
            inside.insert(id, json!({ "beings": beings, "intentions": intentions }));
        }
        let mut named = Map::new();
        for id in ids {
            let reply = self.being(id).await;
            named.insert(
                (*id).to_owned(),
                json!({ "status": reply.status, "body": reply.body }),
            );
        }
        json!({ "spaces": spaces, "inside": inside, "beings": named })
    }
}
