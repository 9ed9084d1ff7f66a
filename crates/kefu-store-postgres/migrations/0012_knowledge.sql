-- The knowledge base. Each article's current version is a row of kb_articles (with the columns
-- lists filter on); every version ever saved is a row of kb_article_versions (id
-- `<article>/<version, 8 digits>`), so the history is whole. Feedback and the questions that
-- found nothing good (the gaps report) are append-only.
CREATE TABLE kb_articles (
    id TEXT COLLATE "C" PRIMARY KEY,
    category TEXT COLLATE "C" NOT NULL,
    audience TEXT COLLATE "C" NOT NULL,
    archived BIGINT NOT NULL DEFAULT 0,
    review_by TEXT COLLATE "C" NOT NULL,
    -- ',track,invoice,' so one LIKE finds the articles of an intent.
    intents TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles (category);
CREATE INDEX kb_articles_review_by ON kb_articles (review_by);
CREATE TABLE kb_article_versions (
    id TEXT COLLATE "C" PRIMARY KEY,
    article_id TEXT COLLATE "C" NOT NULL REFERENCES kb_articles (id),
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_article_versions_article ON kb_article_versions (article_id, version);
CREATE TABLE kb_feedback (
    id TEXT COLLATE "C" PRIMARY KEY,
    article_id TEXT COLLATE "C" NOT NULL REFERENCES kb_articles (id),
    helpful BIGINT NOT NULL,
    at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_feedback_article ON kb_feedback (article_id, at);
CREATE TABLE kb_gaps (
    id TEXT COLLATE "C" PRIMARY KEY,
    at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX kb_gaps_at ON kb_gaps (at);
