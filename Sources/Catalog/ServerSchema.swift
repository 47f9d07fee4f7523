import Foundation
import GRDB

/// Migration `v7-server`: what `vitrine serve` needs beyond the analysis tables.
///
/// - `itemText`: an FTS5 table (tokenizer `unicode61 remove_diacritics 2`) over each item's
///   `title`, `creator` and `description` (the `description` key of the item's `metadata` JSON,
///   as harvest stores it), rowid = `item.id`, kept in sync by triggers on `item`; existing rows
///   are back-filled by the migration.
/// - `duplicateFeedback`, `labelFeedback`, `similarFeedback`: curators' verdicts with `who` and
///   `createdAt` (UTC). Accepted and corrected labels are also written as image-level annotations of
///   the annotation source named `curator` (kind `curator`).
enum ServerSchema {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-server") { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE itemText USING fts5(title, creator, description, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO itemText(rowid, title, creator, description)
                    SELECT id, coalesce(title, ''), coalesce(creator, ''),
                           coalesce(CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.description') END, '')
                    FROM item;
                CREATE TRIGGER itemTextInsert AFTER INSERT ON item BEGIN
                    INSERT INTO itemText(rowid, title, creator, description) VALUES (new.id, coalesce(new.title, ''), coalesce(new.creator, ''),
                        coalesce(CASE WHEN json_valid(new.metadata) THEN json_extract(new.metadata, '$.description') END, ''));
                END;
                CREATE TRIGGER itemTextUpdate AFTER UPDATE OF title, creator, metadata ON item BEGIN
                    DELETE FROM itemText WHERE rowid = old.id;
                    INSERT INTO itemText(rowid, title, creator, description) VALUES (new.id, coalesce(new.title, ''), coalesce(new.creator, ''),
                        coalesce(CASE WHEN json_valid(new.metadata) THEN json_extract(new.metadata, '$.description') END, ''));
                END;
                CREATE TRIGGER itemTextDelete AFTER DELETE ON item BEGIN
                    DELETE FROM itemText WHERE rowid = old.id;
                END;
                """)
            try db.create(table: "duplicateFeedback") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("itemA", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("itemB", .integer).notNull().references("item", onDelete: .cascade)
                t.column("groupID", .integer)
                t.column("verdict", .text).notNull()
                t.column("who", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "labelFeedback") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("itemID", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("concept", .text).notNull()
                t.column("verdict", .text).notNull()
                t.column("correctedConcept", .text)
                t.column("who", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "similarFeedback") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("itemID", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("similarItemID", .integer).notNull().references("item", onDelete: .cascade)
                t.column("relevant", .boolean).notNull()
                t.column("who", .text)
                t.column("createdAt", .datetime).notNull()
            }
        }
    }
}
