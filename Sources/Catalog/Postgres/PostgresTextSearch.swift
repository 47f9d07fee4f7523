import Foundation

/// Full-text search of items on PostgreSQL, the counterpart of SQLite's FTS5 table `itemText`
/// (migration `v7-server`): the same fields (`title`, `creator`, the `description` key of the
/// `metadata` JSON), folded the same way (lower case, diacritics removed — PostgreSQL's
/// `unaccent` extension where the database allows it, else diacritics are kept), the
/// `simple` configuration (no stemming, no stop words, as FTS5's `unicode61` tokenizer).
///
/// Queries are PostgreSQL's `websearch_to_tsquery` syntax (PostgreSQL 15 manual §12.3.2): words
/// are ANDed, `"a phrase"`, `or`, `-word`; FTS5's prefix queries (`harv*`) have no counterpart.
/// The document is a GIN expression index on `item`, so no trigger keeps a copy in sync.
public enum PostgresTextSearch {
    /// The PostgreSQL-only migration that creates the functions and the index; applied after `v7-server`.
    static let migrationName = "v7-server-postgres-text-search"
    static let after = "v7-server"

    static let statements: [String] = [
        // `vitrine_fold`: unaccent (when the extension can be created: it is trusted since
        // PostgreSQL 13, so the database owner may) and lower case. IMMUTABLE so an index may use it;
        // `search_path` is pinned so that a restore (pg_dump clears it) finds `unaccent`.
        """
        DO $do$
        BEGIN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS unaccent;
            EXECUTE 'CREATE OR REPLACE FUNCTION vitrine_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE '
                 || 'SET search_path FROM CURRENT AS $f$ SELECT lower(unaccent(''unaccent''::regdictionary, coalesce(t, ''''))) $f$';
          EXCEPTION WHEN others THEN
            EXECUTE 'CREATE OR REPLACE FUNCTION vitrine_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE '
                 || 'AS $f$ SELECT lower(coalesce(t, '''')) $f$';
          END;
        END
        $do$
        """,
        """
        CREATE OR REPLACE FUNCTION vitrine_item_document(title text, creator text, metadata text) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $f$
        DECLARE description text;
        BEGIN
          IF metadata IS NOT NULL AND metadata <> '' THEN
            BEGIN
              description := (metadata::jsonb) ->> 'description';
            EXCEPTION WHEN others THEN
              description := NULL;  -- not JSON, as SQLite's json_valid() check
            END;
          END IF;
          RETURN to_tsvector('simple'::regconfig,
                             vitrine_fold(coalesce(title, '') || ' ' || coalesce(creator, '') || ' ' || coalesce(description, '')));
        END
        $f$
        """,
        "CREATE INDEX IF NOT EXISTS itemtextsearch ON item USING GIN (vitrine_item_document(title, creator, metadata))",
    ]

    /// The indexed document of the rows of `table` (an `item` alias), as a SQL expression.
    public static func document(_ table: String) -> String {
        "vitrine_item_document(\(table).title, \(table).creator, \(table).metadata)"
    }

    /// The query of a bound parameter (`?`) as a SQL `tsquery` expression.
    public static func query(_ parameter: String) -> String {
        "websearch_to_tsquery('simple'::regconfig, vitrine_fold(\(parameter)))"
    }
}
