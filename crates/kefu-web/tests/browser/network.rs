//! The network in a real browser: an agent sends an intercept order from the case page, the
//! outlet's manager completes it from the queue on a phone-width window, and the agent's case
//! page shows the answer.

use reqwest::Method;
use serde_json::Value;

use super::webdriver::Driver;
use super::{browser_available, no_console_errors, screenshots};
use crate::PASSWORD;
use crate::network::beijing;

async fn sign_in(d: &Driver, base: &str, user: &str) {
    d.goto(&format!("{base}/login")).await;
    d.type_into("#username", user).await;
    d.type_into("#password", PASSWORD).await;
    d.click("form[action='/login'] button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_sends_an_intercept_and_the_outlet_completes_it_on_a_phone() {
    if !browser_available() {
        return;
    }
    let app = crate::spawn_app().await;
    let (case, no) = beijing(&app).await;
    app.staff_of("cy-boss", "outlet_manager", "bj-cy").await;
    let shots = screenshots();
    // The agent, on a desktop: the panel's form is pre-filled; two choices make it an
    // intercept back to the sender.
    let agent = Driver::start(1366, 900).await;
    sign_in(&agent, &app.base, "agent01").await;
    agent.wait_text("h1", "我的工单").await;
    agent.goto(&format!("{}/cases/{case}", app.base)).await;
    agent.wait_text("#work-orders-title", "网点工单").await;
    agent.click("details.send-order summary").await;
    assert_eq!(agent.value("#wo-org").await, "bj-cy", "the router's choice");
    assert_eq!(agent.value("#wo-waybill").await, no);
    agent.select("#wo-kind", "intercept").await;
    agent.select("#wo-intercept", "return").await;
    agent.screenshot(&shots.join("case-work-order.png")).await;
    agent.click(".send-order-form button[type=submit]").await;
    agent.wait_text(".work-orders .order-state", "待响应").await;
    assert!(
        agent
            .text(".work-orders .order-kind")
            .await
            .contains("拦截")
    );
    no_console_errors(&agent, "case page with a work order").await;
    // The outlet's manager, on a 375 px phone, lands on the queue.
    let phone = Driver::phone(375, 812).await;
    sign_in(&phone, &app.base, "cy-boss").await;
    phone.wait_text("h1", "网点工单").await;
    let card = phone.wait_text(".queue-order", &no).await;
    assert!(
        card.contains("拦截") && card.contains("退回寄件人"),
        "{card}"
    );
    // One column, nothing wider than the screen, buttons big enough for a thumb.
    let layout: Value = phone
        .script(
            "const wide = Array.from(document.querySelectorAll('body *'))
               .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
               .slice(0, 5).map(e => e.tagName + '.' + e.className);
             const b = document.querySelector('.queue-order button.complete-order').getBoundingClientRect();
             const card = document.querySelector('.queue-order').getBoundingClientRect();
             return {wide: wide, scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
                     button_h: b.height, button_w: b.width, card_w: card.width};",
        )
        .await;
    assert_eq!(layout["client"], 375, "a phone's viewport: {layout}");
    assert!(
        layout["scroll"].as_f64() <= layout["client"].as_f64(),
        "no sideways scrolling on a phone: {layout}"
    );
    assert!(layout["button_h"].as_f64().unwrap() >= 44.0, "{layout}");
    assert!(
        layout["button_w"].as_f64().unwrap() >= layout["card_w"].as_f64().unwrap() * 0.8,
        "the buttons stack in one column: {layout}"
    );
    phone
        .screenshot(&shots.join("outlet-queue-phone.png"))
        .await;
    phone
        .type_into(".queue-order textarea", "已拦截，今天退回寄件人")
        .await;
    phone.click(".queue-order button.complete-order").await;
    phone.wait_text(".empty", "没有待处理的网点工单").await;
    no_console_errors(&phone, "outlet queue").await;
    // Every page the manager can reach by links opens without a refusal or a script error.
    let visited = super::visit_every_linked_page(&phone, &app.base, "/", 60).await;
    assert!(
        visited
            .iter()
            .any(|p| p.starts_with("/console/network/assessment")),
        "{visited:?}"
    );
    let (_, orders) = app
        .call(
            Method::GET,
            "/api/v1/work-orders?organisation=bj-cy",
            Some(&app.agent),
            None,
        )
        .await;
    assert_eq!(orders["items"][0]["state"], "completed", "{orders}");
    phone.quit().await;
    // The agent's case page shows the outlet's answer.
    agent.goto(&format!("{}/cases/{case}", app.base)).await;
    agent
        .wait_text(".work-orders .order-answer", "已拦截，今天退回寄件人")
        .await;
    assert!(
        agent
            .text(".work-orders .order-state")
            .await
            .contains("已完成")
    );
    agent
        .screenshot(&shots.join("case-work-order-done.png"))
        .await;
    no_console_errors(&agent, "case page with the answer").await;
    agent.quit().await;
}
