//! scratch
#![allow(missing_docs)]
use instagram_webhook_conformance::*;
use std::time::Duration;

async fn serve() -> (std::net::SocketAddr, Recorder) {
    let (receiver, recorder) = harness();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = instagram_webhook_axum::router(PATH, receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, recorder)
}

#[tokio::test]
async fn experiments() {
    let (a, rec) = serve().await;
    let show = |name: &str, r: Option<TestResponse>| println!("{name}: {:?}", r.map(|r| (r.status, String::from_utf8_lossy(&r.body).into_owned())));
    // 1000 headers
    let mut req = TestRequest::new("POST", PATH, None);
    for _ in 0..1000 { req = req.header("x-hub-signature-256", format!("sha256={}", "0".repeat(64))); }
    show("1000 headers", send_raw(a, &req.body("{}")).await);
    let mut req = TestRequest::new("POST", PATH, None);
    for _ in 0..95 { req = req.header("x-hub-signature-256", format!("sha256={}", "0".repeat(64))); }
    show("95 headers", send_raw(a, &req.body("{}")).await);
    // 100KB header
    let req = TestRequest::new("POST", PATH, None).header("x-hub-signature-256", vec![b'a'; 100*1024]).body("{}");
    show("100KB header", send_raw(a, &req).await);
    let req = TestRequest::new("POST", PATH, None).header("x-hub-signature-256", vec![b'a'; 500*1024]).body("{}");
    show("500KB header", send_raw(a, &req).await);
    // NUL in header
    let req = TestRequest::new("POST", PATH, None).header("x-hub-signature-256", b"sha256=\0abc".to_vec()).body("{}");
    show("NUL header", send_raw(a, &req).await);
    let req = TestRequest::new("POST", PATH, None).header("x-hub-signature-256", vec![0xff,0xfe]).body("{}");
    show("invalid utf8 header", send_raw(a, &req).await);
    let req = TestRequest::new("POST", PATH, None).header("x-hub-signature-256", "sha256=é").body("{}");
    show("utf8 header", send_raw(a, &req).await);
    // raw query bytes
    for target in [&b"/webhook?hub.challenge=\xc3\xa9"[..], b"/webhook?hub.challenge=\xff", b"/webhook?hub.challenge=a\0b"] {
        let mut c = RawConnection::open(a).await;
        let mut bytes = head_bytes("GET", target, &[]);
        bytes.extend_from_slice(b"\r\n");
        let _ = c.write(&bytes).await;
        show(&format!("target {:?}", String::from_utf8_lossy(target)), c.answer().await);
    }
    // chunked over limit unterminated
    let mut c = RawConnection::open(a).await;
    let mut head = head_bytes("POST", b"/webhook", &[("x-hub-signature-256".into(), format!("sha256={}", "0".repeat(64)).into_bytes()), ("transfer-encoding".into(), b"chunked".to_vec())]);
    head.extend_from_slice(b"\r\n");
    c.write(&head).await.unwrap();
    let piece = chunk(&vec![b' '; 64*1024]);
    for _ in 0..64 { c.write(&piece).await.unwrap(); }
    c.write(&chunk(b" ")).await.unwrap();
    show("chunked over", c.answer().await);
    let mut more = 0; let mut err = None;
    for _ in 0..256 { match c.write(&piece).await { Ok(()) => more += piece.len(), Err(e) => { err = Some(e); break; } } }
    println!("after 413: wrote {more} more, err {err:?}");
    println!("closed: {}", c.closed_by_server().await);
    // truncated body
    let mut c = RawConnection::open(a).await;
    let mut head = head_bytes("POST", b"/webhook", &[("content-length".into(), b"100".to_vec())]);
    head.extend_from_slice(b"\r\n");
    c.write(&head).await.unwrap();
    c.write(b"{\"object\"").await.unwrap();
    c.shutdown_write();
    show("truncated", c.answer().await);
    // stalled head then half-close
    let mut c = RawConnection::open(a).await;
    c.write(b"POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-le").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.shutdown_write();
    show("stalled head half-closed", c.answer().await);
    println!("recorded {:?}", rec.take().deliveries.len());
}
