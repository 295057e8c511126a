//! Certificates that verify without the platform: each region signs its certificates' Open
//! Badges credentials and its revocation list with an Ed25519 key of its own, and each
//! certificate holds a position in the region's status list.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One signing key per region, made the first time it is needed. The private half never
        // leaves the server; the public half is published (JWK set, the issuer's profile).
        m.create_table(
            entity_table("credential_keys")
                .col(uuid("region_id"))
                // `Ed25519` (the only algorithm for now).
                .col(string_len("algorithm", 16))
                // RFC 7638 thumbprint of the public JWK (base64url, 43 characters).
                .col(string_len("thumbprint", 64))
                // The 32-byte public key and private seed, base64url without padding.
                .col(string_len("public_key", 64))
                .col(string_len("private_key", 64))
                .foreign_key(&mut fk(
                    "credential_keys",
                    "region_id",
                    "org_units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("credential_keys", &["region_id"]))
            .await?;
        m.create_index(index("credential_keys", &["updated_at"]))
            .await?;

        // The certificate's bit in its region's revocation list, given at issue (certificates
        // issued before this get one the first time their credential is asked for).
        m.alter_table(
            Table::alter()
                .table("certificates")
                .add_column(integer_null("status_index"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("certificates", &["region_id", "status_index"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ux_certificates_region_id_status_index")
                .table("certificates")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("certificates")
                .drop_column("status_index")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("credential_keys").to_owned())
            .await
    }
}
