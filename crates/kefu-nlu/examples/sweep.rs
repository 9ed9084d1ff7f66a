//! `cargo run -p kefu-nlu --example sweep [name=value,…]…`: 5-fold cross-validated accuracy and
//! per-intent recall on the training data for the settings the model could be trained with, and
//! for the chosen (default) settings the commonest confusions and the messages they get wrong.
//! Reads no held-out data: this is how settings are chosen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a developer's tool

use std::collections::HashMap;

use kefu_model::nlu::Intent;
use kefu_nlu::{CrossValidation, Example, Nlu, Settings, TRAIN_DATA, read_examples};

/// Cross-validated recall of each intent: (intent, right, examples), in [`Intent::ALL`] order.
fn recall_by_intent(train: &[Example], cv: &CrossValidation) -> Vec<(Intent, usize, usize)> {
    let mut missed: HashMap<Intent, usize> = HashMap::new();
    for (i, _) in &cv.misses {
        *missed.entry(train[*i].intent).or_default() += 1;
    }
    Intent::ALL
        .iter()
        .map(|intent| {
            let total = train.iter().filter(|e| e.intent == *intent).count();
            let wrong = missed.get(intent).copied().unwrap_or(0);
            (*intent, total - wrong, total)
        })
        .collect()
}

fn main() {
    let (train, _) = read_examples(TRAIN_DATA);
    let base = Settings::default();
    let mut variants: Vec<(String, Settings)> = vec![("default".into(), base)];
    let args: Vec<String> = std::env::args().skip(1).collect();
    for arg in &args {
        // name=value[,name=value…] changes the default settings.
        let mut s = base;
        for pair in arg.split(',') {
            let (name, value) = pair.split_once('=').expect("name=value");
            match name {
                "epochs" => s.epochs = value.parse().unwrap(),
                "lr" => s.learning_rate = value.parse().unwrap(),
                "decay" => s.decay = value.parse().unwrap(),
                "l2" => s.l2 = value.parse().unwrap(),
                "trigrams" => s.trigrams = value.parse().unwrap(),
                "word_bigrams" => s.word_bigrams = value.parse().unwrap(),
                "concepts" => s.concepts = value.parse().unwrap(),
                "stems" => s.stems = value.parse().unwrap(),
                "place_roles" => s.place_roles = value.parse().unwrap(),
                other => panic!("unknown setting {other}"),
            }
        }
        variants.push((arg.clone(), s));
    }
    let header: Vec<String> = Intent::ALL
        .iter()
        .map(|i| i.as_str().chars().take(6).collect())
        .collect();
    println!(
        "{:>8}  {:>11}  {}  settings",
        "accuracy",
        "right/all",
        header
            .iter()
            .map(|h| format!("{h:>6}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut default_cv = None;
    for (name, settings) in &variants {
        let cv = Nlu::cross_validate_with(&train, 5, *settings);
        let recalls: Vec<String> = recall_by_intent(&train, &cv)
            .iter()
            .map(|(_, right, total)| format!("{:>6.3}", *right as f64 / (*total).max(1) as f64))
            .collect();
        println!(
            "{:>7.2} %  {:>5}/{:<5}  {}  {name}",
            cv.accuracy() * 100.0,
            cv.correct,
            cv.total,
            recalls.join(" ")
        );
        if default_cv.is_none() {
            default_cv = Some(cv);
        }
    }
    let Some(cv) = default_cv else { return };
    println!("\nper-intent recall of the default settings (5-fold):");
    for (intent, right, total) in recall_by_intent(&train, &cv) {
        println!(
            "  {:<16} {right:>4}/{total:<4} {:.3}",
            intent.as_str(),
            right as f64 / total.max(1) as f64
        );
    }
    let mut confusions: HashMap<(Intent, Intent), usize> = HashMap::new();
    for (i, answer) in &cv.misses {
        *confusions.entry((train[*i].intent, *answer)).or_default() += 1;
    }
    let mut confusions: Vec<((Intent, Intent), usize)> = confusions.into_iter().collect();
    confusions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("commonest confusions (labelled → answered):");
    for ((label, answer), n) in confusions.iter().take(15) {
        println!("  {n:>3}  {label} → {answer}");
    }
    if args.is_empty() {
        println!("misclassified by the default settings (5-fold):");
        for (i, answer) in &cv.misses {
            let e = &train[*i];
            println!("  {:<16} → {:<16} {}", e.intent, answer, e.text);
        }
    }
}
