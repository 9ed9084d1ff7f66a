-- The knowledge base. Each article's current version is a row of kb_articles (with the columns
-- lists filter on); every version ever saved is a row of kb_article_versions (id
-- `<article>/<version, 8 digits>`), so the history is whole. Feedback and the questions that
-- found nothing good (the gaps report) are append-only.
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    audience TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    review_by TEXT NOT NULL,
    -- ',track,invoice,' so one LIKE finds the articles of an intent.
    intents TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles (category);
CREATE INDEX kb_articles_review_by ON kb_articles (review_by);
CREATE TABLE kb_article_versions (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    version INTEGER NOT NULL,
    at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_article_versions_article ON kb_article_versions (article_id, version);
CREATE TABLE kb_feedback (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    helpful INTEGER NOT NULL,
    at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_feedback_article ON kb_feedback (article_id, at);
CREATE TABLE kb_gaps (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_gaps_at ON kb_gaps (at);
