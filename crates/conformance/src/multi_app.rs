//! Several Meta apps behind one service: the requests an adapter's
//! multi-app test sends, and what each must get.

use instagram_webhook_core::test_kit::comment_delivery;
use instagram_webhook_core::{AppKey, AppSecret, AppVerifiers, Verifier};

use crate::requests::signed_post;
use crate::wire::TestRequest;

/// The App Secret of the app called `shop`.
pub const SHOP_SECRET: &str = "shop-app-secret";
/// The App Secret of the app called `blog`.
pub const BLOG_SECRET: &str = "blog-app-secret";

/// The apps `shop` and `blog`, told apart by `key`.
///
/// # Panics
/// Never: the secrets are valid constants.
pub fn app_verifiers(key: AppKey) -> AppVerifiers {
    AppVerifiers::new(key)
        .app(
            "shop",
            Verifier::new(AppSecret::new(SHOP_SECRET).expect("constant")),
        )
        .app(
            "blog",
            Verifier::new(AppSecret::new(BLOG_SECRET).expect("constant")),
        )
}

fn delivery(secret: &str, path: &str, query: Option<&str>) -> TestRequest {
    let mut request = signed_post(
        secret,
        &comment_delivery("17841400000000001", "18000000000000001", "hi"),
    );
    path.clone_into(&mut request.path);
    request.query = query.map(str::to_owned);
    request
}

/// Requests to the apps named by the last path segment under `prefix`
/// (e.g. `/meta/webhook/{app}`), each with the status it must get and how
/// many deliveries must reach the handler: each app's secret is good for
/// its own path only, and an app nobody configured gets 401, never a guess.
pub fn by_last_path_segment(prefix: &str) -> Vec<(TestRequest, (u16, usize))> {
    let path = |app: &str| format!("{prefix}/{app}");
    vec![
        (delivery(SHOP_SECRET, &path("shop"), None), (200, 1)),
        (delivery(BLOG_SECRET, &path("blog"), None), (200, 1)),
        (delivery(BLOG_SECRET, &path("shop"), None), (401, 0)),
        (delivery(SHOP_SECRET, &path("blog"), None), (401, 0)),
        (delivery(SHOP_SECRET, &path("other"), None), (401, 0)),
    ]
}

/// Requests to `path` naming the app by the query parameter `app`, with
/// what each must get, as [`by_last_path_segment`].
pub fn by_query_parameter(path: &str) -> Vec<(TestRequest, (u16, usize))> {
    vec![
        (delivery(SHOP_SECRET, path, Some("app=shop")), (200, 1)),
        (delivery(BLOG_SECRET, path, Some("app=blog")), (200, 1)),
        (delivery(BLOG_SECRET, path, Some("app=shop")), (401, 0)),
        (delivery(SHOP_SECRET, path, None), (401, 0)),
    ]
}
