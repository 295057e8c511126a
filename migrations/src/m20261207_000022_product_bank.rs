//! The region's bank of methodological products: products that passed expertise, published
//! with their authors' consent; the competencies they address (for search), recommendations
//! of a product to teachers, and the routes that took one into their roadmap.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A snapshot of the product as published: the route's product may not change after
        // evaluation, but the bank must not depend on that, nor on the route's visibility.
        m.create_table(
            entity_table("bank_products")
                .col(uuid("region_id"))
                .col(uuid("route_id"))
                .col(uuid("product_id"))
                .col(uuid("author_id"))
                .col(uuid_null("school_id"))
                .col(string_len("title", 500))
                .col(string_len_null("kind", 200))
                .col(text_null("description"))
                .col(string_len_null("link", 2000))
                .col(string_len_null("subject", 200))
                .col(string_len_null("education_level", 16))
                // The deficits' titles (JSON list) and the expert's verdict (JSON).
                .col(text("deficits"))
                .col(text("verdict"))
                .col(string_len("status", 16))
                .col(uuid("published_by"))
                .col(timestamp_with_time_zone("published_at"))
                .col(uuid_null("withdrawn_by"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(text_null("withdrawn_reason"))
                .col(big_integer("views").default(0))
                .col(big_integer("uses").default(0))
                .col(text("sort_key"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("bank_products", &["product_id"]))
            .await?;
        m.create_index(index(
            "bank_products",
            &["region_id", "status", "published_at"],
        ))
        .await?;
        m.create_index(index("bank_products", &["author_id"]))
            .await?;
        m.create_index(index("bank_products", &["route_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("bank_product_competencies")
                .col(uuid("bank_product_id"))
                .col(uuid("competency_id"))
                .primary_key(Index::create().col("bank_product_id").col("competency_id"))
                .foreign_key(&mut fk(
                    "bank_product_competencies",
                    "bank_product_id",
                    "bank_products",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bank_product_competencies", &["competency_id"]))
            .await?;
        m.create_table(
            entity_table("product_recommendations")
                .col(uuid("bank_product_id"))
                .col(uuid("teacher_id"))
                .col(uuid("recommended_by"))
                .col(text_null("note"))
                // When the teacher first opened the product after it was recommended.
                .col(timestamp_with_time_zone_null("seen_at"))
                .foreign_key(&mut fk(
                    "product_recommendations",
                    "bank_product_id",
                    "bank_products",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "product_recommendations",
            &["bank_product_id", "teacher_id", "recommended_by"],
        ))
        .await?;
        m.create_index(index("product_recommendations", &["teacher_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("bank_product_uses")
                .col(uuid("bank_product_id"))
                .col(uuid("route_id"))
                .col(uuid("activity_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("bank_product_id").col("route_id"))
                .foreign_key(&mut fk(
                    "bank_product_uses",
                    "bank_product_id",
                    "bank_products",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bank_product_uses", &["route_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "bank_product_uses",
            "product_recommendations",
            "bank_product_competencies",
            "bank_products",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
