//! The `kefu` binary's parts that are not HTTP: configuration, the background workers (timers,
//! mail readers, reply sender), demo data, export and import.

pub mod channels;
pub mod config;
pub mod demo;
pub mod demo_calls;
pub mod demo_chats;
pub mod demo_kb;
pub mod demo_key_accounts;
pub mod demo_mail;
pub mod demo_network;
pub mod demo_orders;
pub mod demo_parcels;
pub mod demo_quality;
pub mod demo_sms;
pub mod demo_staffing;
pub mod demo_wechat;
pub mod node;
pub mod shipments;
pub mod smtp_intake;
pub mod timers;
pub mod transfer;
