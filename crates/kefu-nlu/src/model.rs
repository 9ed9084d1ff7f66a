//! Multinomial logistic regression over sparse binary features, trained by stochastic gradient
//! descent in a fixed order (a seeded shuffle, and feature dropout drawn from the same generator),
//! so the same data gives the same model on every machine. The softmax is calibrated with a
//! temperature fitted on out-of-fold predictions of the training data (k-fold cross-validation),
//! never on held-out data.

use std::collections::HashMap;

/// Number of classes (the 16 intents).
pub(crate) const K: usize = 16;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub epochs: usize,
    pub learning_rate: f32,
    pub decay: f32,
    pub l2: f32,
    pub seed: u64,
    pub folds: usize,
    /// Chance that a feature is left out of one training step, the kept ones scaled by
    /// 1/(1 − dropout) so that a step sees the same total on average (inverted dropout): no
    /// single feature, such as a concept that alone fits most of an intent's training messages,
    /// can carry an intent, so the words beside it learn weight too.
    pub dropout: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            epochs: 30,
            learning_rate: 2.0,
            decay: 0.1,
            l2: 1e-5,
            seed: 0x6b65_6675,
            folds: 4,
            dropout: 0.0,
        }
    }
}

/// One training example: class index and feature names.
pub(crate) struct Sample {
    pub class: usize,
    pub features: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Model {
    vocab: HashMap<String, u32>,
    /// `vocab.len() × K`, row-major by feature.
    weights: Vec<f32>,
    bias: [f32; K],
    /// Divides the logits before the softmax.
    temperature: f64,
}

/// A tiny deterministic generator (xorshift64*), for the training order.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.next() % (i as u64 + 1)).unwrap_or(0);
            items.swap(i, j);
        }
    }
}

/// Sparse rows: feature indices, with one value for the whole row (1/√n, so long and short
/// messages weigh alike).
struct Row {
    class: usize,
    indices: Vec<u32>,
    value: f32,
}

fn softmax(logits: &[f64; K], temperature: f64) -> [f64; K] {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut out = [0.0; K];
    let mut sum = 0.0;
    for (o, l) in out.iter_mut().zip(logits) {
        *o = ((l - max) / temperature).exp();
        sum += *o;
    }
    for o in &mut out {
        *o /= sum;
    }
    out
}

/// Each class's bias plus, feature by feature, the feature's K contiguous weights times its
/// value (each class still sums in the same order as class by class, only faster): training
/// and scoring share it, so they cannot drift apart.
fn class_sums(
    weights: &[f32],
    bias: [f32; K],
    features: impl IntoIterator<Item = (u32, f32)>,
) -> [f32; K] {
    let mut sums = bias;
    for (j, value) in features {
        let at = j as usize * K;
        for (sum, w) in sums.iter_mut().zip(&weights[at..at + K]) {
            *sum += w * value;
        }
    }
    sums
}

impl Model {
    /// Trains on `samples`, then fits the temperature by `config.folds`-fold cross-validation.
    pub fn train(samples: &[Sample], config: Config) -> Model {
        let mut model = Model::fit(samples, config);
        if config.folds >= 2 && samples.len() >= config.folds * 2 {
            let mut logits: Vec<([f64; K], usize)> = Vec::with_capacity(samples.len());
            for fold in 0..config.folds {
                let train: Vec<&Sample> = samples
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % config.folds != fold)
                    .map(|(_, s)| s)
                    .collect();
                let m = Model::fit_refs(&train, config);
                for (_, s) in samples
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % config.folds == fold)
                {
                    logits.push((m.logits(&s.features), s.class));
                }
            }
            model.temperature = fit_temperature(&logits);
        }
        model
    }

    fn fit(samples: &[Sample], config: Config) -> Model {
        let refs: Vec<&Sample> = samples.iter().collect();
        Model::fit_refs(&refs, config)
    }

    fn fit_refs(samples: &[&Sample], config: Config) -> Model {
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut rows = Vec::with_capacity(samples.len());
        for s in samples {
            let mut indices: Vec<u32> = s
                .features
                .iter()
                .map(|f| {
                    let next = u32::try_from(vocab.len()).unwrap_or(u32::MAX);
                    *vocab.entry(f.clone()).or_insert(next)
                })
                .collect();
            indices.sort_unstable();
            indices.dedup();
            let value = if indices.is_empty() {
                0.0
            } else {
                1.0 / (indices.len() as f32).sqrt()
            };
            rows.push(Row {
                class: s.class,
                indices,
                value,
            });
        }
        let dropout = config.dropout.clamp(0.0, 0.9);
        let keep_scale = 1.0 / (1.0 - dropout);
        let mut kept: Vec<(u32, f32)> = Vec::new();
        let mut weights = vec![0.0f32; vocab.len() * K];
        let mut bias = [0.0f32; K];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = Rng(config.seed | 1);
        for epoch in 0..config.epochs {
            rng.shuffle(&mut order);
            let lr = config.learning_rate / (1.0 + config.decay * epoch as f32);
            for &r in &order {
                let row = &rows[r];
                kept.clear();
                if dropout > 0.0 {
                    for &j in &row.indices {
                        if rng.unit() >= dropout {
                            kept.push((j, row.value * keep_scale));
                        }
                    }
                } else {
                    kept.extend(row.indices.iter().map(|&j| (j, row.value)));
                }
                let sums = class_sums(&weights, bias, kept.iter().copied());
                let p = softmax(&sums.map(f64::from), 1.0);
                let mut rate = [0.0f32; K];
                for (k, (r, b)) in rate.iter_mut().zip(bias.iter_mut()).enumerate() {
                    let g = (p[k] - if k == row.class { 1.0 } else { 0.0 }) as f32;
                    *r = lr * g;
                    *b -= lr * g;
                }
                for &(j, value) in &kept {
                    let at = j as usize * K;
                    for (w, r) in weights[at..at + K].iter_mut().zip(&rate) {
                        *w -= r * value;
                    }
                }
            }
            let shrink = 1.0 - lr * config.l2 * rows.len() as f32;
            if shrink < 1.0 {
                let shrink = shrink.max(0.0);
                for w in &mut weights {
                    *w *= shrink;
                }
            }
        }
        Model {
            vocab,
            weights,
            bias,
            temperature: 1.0,
        }
    }

    fn logits(&self, features: &[String]) -> [f64; K] {
        let mut indices: Vec<u32> = features
            .iter()
            .filter_map(|f| self.vocab.get(f).copied())
            .collect();
        indices.sort_unstable();
        indices.dedup();
        // Scale as in training: by the number of distinct features of the message, known or not.
        let mut distinct: Vec<&String> = features.iter().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let value = if distinct.is_empty() {
            0.0
        } else {
            1.0 / (distinct.len() as f32).sqrt()
        };
        class_sums(
            &self.weights,
            self.bias,
            indices.iter().map(|&j| (j, value)),
        )
        .map(f64::from)
    }

    /// Calibrated class probabilities.
    pub fn probabilities(&self, features: &[String]) -> [f64; K] {
        softmax(&self.logits(features), self.temperature)
    }

    pub fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }

    pub fn temperature(&self) -> f64 {
        self.temperature
    }
}

/// The temperature that minimises the negative log-likelihood of `logits` (golden-section search
/// over [0.05, 20] on a log scale).
fn fit_temperature(logits: &[([f64; K], usize)]) -> f64 {
    let nll = |t: f64| -> f64 {
        logits
            .iter()
            .map(|(z, c)| -softmax(z, t)[*c].max(1e-12).ln())
            .sum()
    };
    let (mut a, mut b) = (0.05f64.ln(), 20f64.ln());
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - phi * (b - a);
    let mut d = a + phi * (b - a);
    for _ in 0..60 {
        if nll(c.exp()) < nll(d.exp()) {
            b = d;
        } else {
            a = c;
        }
        c = b - phi * (b - a);
        d = a + phi * (b - a);
    }
    ((a + b) / 2.0).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(class: usize, features: &[&str]) -> Sample {
        Sample {
            class,
            features: features.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[test]
    fn learns_a_separable_problem_deterministically() {
        let samples: Vec<Sample> = (0..40)
            .map(|i| {
                if i % 2 == 0 {
                    sample(0, &["a", "x"])
                } else {
                    sample(1, &["b", "x"])
                }
            })
            .collect();
        let m1 = Model::train(&samples, Config::default());
        let m2 = Model::train(&samples, Config::default());
        let p = m1.probabilities(&["a".to_owned()]);
        assert!(p[0] > 0.8, "{p:?}");
        assert!(m1.probabilities(&["b".to_owned()])[1] > 0.8);
        assert_eq!(p, m2.probabilities(&["a".to_owned()]));
        let total: f64 = p.iter().sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn dropout_training_is_deterministic_and_keeps_every_cue() {
        // Class 0 always has `a` and `c`, class 1 always `b` and `c`; half of class 0 also has
        // `strong`. With dropout each cue of a class learns weight, so `a` alone still decides.
        let samples: Vec<Sample> = (0..80)
            .map(|i| match i % 4 {
                0 => sample(0, &["a", "c", "strong"]),
                1 => sample(0, &["a", "c"]),
                _ => sample(1, &["b", "c"]),
            })
            .collect();
        let config = Config {
            dropout: 0.2,
            ..Config::default()
        };
        let m1 = Model::train(&samples, config);
        let m2 = Model::train(&samples, config);
        let a = m1.probabilities(&["a".to_owned()]);
        assert_eq!(a, m2.probabilities(&["a".to_owned()]));
        assert!(a[0] > 0.8, "{a:?}");
        assert!(m1.probabilities(&["strong".to_owned()])[0] > 0.5);
        assert!(m1.probabilities(&["b".to_owned()])[1] > 0.8);
    }

    #[test]
    fn temperature_fits_overconfident_logits() {
        // Logits that are right only 60% of the time with a big margin want a high temperature.
        let mut logits = Vec::new();
        for i in 0..100 {
            let mut z = [0.0; K];
            z[0] = 10.0;
            logits.push((z, if i % 5 < 3 { 0 } else { 1 }));
        }
        assert!(fit_temperature(&logits) > 2.0);
    }
}
