//! The OpenAPI 3.1 description of the admin API, served at `/api/openapi.json`. Written next to the routes it
//! describes (`admin.rs`); the API tests check that every route is in it.

use axum::Json;
use serde_json::{Value, json};

/// `GET /api/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn article_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": {
        "type": "object", "properties": { "article": { "$ref": "#/components/schemas/Article" } } } } } })
}

fn id_parameter() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }])
}

fn list_of(key: &str, schema: &str) -> Value {
    json!({
        "get": {
            "summary": format!("All {key}"),
            "responses": {
                "200": { "description": format!("The {key}"), "content": { "application/json": { "schema": {
                    "type": "object", "properties": { key: { "type": "array", "items": { "$ref": format!("#/components/schemas/{schema}") } } } } } } },
                "401": error_response("No valid token")
            }
        }
    })
}

fn style_response() -> Value {
    json!({ "description": "The findings, and the text with every suggestion applied", "content": { "application/json": { "schema": {
        "type": "object", "properties": {
            "language": { "type": "string" },
            "findings": { "type": "array", "items": { "$ref": "#/components/schemas/Finding" } },
            "corrected": { "type": "object", "properties": {
                "headline": { "type": "string" }, "standfirst": { "type": "string" }, "body": { "type": "string" } } } } } } } })
}

fn status_change(summary: &str) -> Value {
    json!({ "post": {
        "summary": summary, "parameters": id_parameter(),
        "responses": { "200": article_response("The article after the change"), "403": error_response("The role does not allow it"),
                       "404": error_response("No such article") }
    } })
}

/// The document itself.
pub fn spec() -> Value {
    let draft_body = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ArticleDraft" } } } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "newsroom admin API",
            "version": "1",
            "description": "Write and publish articles with the same rules as the back office. Authenticate with \
                `Authorization: Bearer <token>`; tokens are made in the back office (API tokens) or with \
                `newsroom token create --email E`. Errors are `{\"error\": {\"code\", \"message\"}}`."
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object",
                    "required": ["code", "message"], "properties": {
                        "code": { "type": "string", "enum": ["unauthorized", "forbidden", "not_found", "invalid", "conflict", "bad_request", "internal", "unavailable"] },
                        "message": { "type": "string" } } } } },
                "ArticleDraft": { "type": "object", "required": ["headline", "section"], "properties": {
                    "headline": { "type": "string" },
                    "slug": { "type": "string", "description": "Made from the headline when empty" },
                    "standfirst": { "type": "string" },
                    "body": { "type": "string", "description": "Markdown" },
                    "section": { "type": "string", "description": "Section slug" },
                    "authors": { "type": "array", "items": { "type": "string" }, "description": "Author slugs in byline order; your own profile when empty. Authors and contributors must name themselves (403 otherwise); editors and administrators may name anyone" },
                    "tags": { "type": "array", "items": { "type": "string" }, "description": "Tag names; new ones are created" },
                    "status": { "type": "string", "enum": ["draft", "submitted", "scheduled", "published", "unpublished"] },
                    "published_at": { "type": ["string", "null"], "format": "date-time" },
                    "mark_updated": { "type": "boolean", "description": "Show a published article as updated now" },
                    "correction": { "type": "string", "description": "A visible correction note" },
                    "lead_image": { "type": ["integer", "null"], "description": "An image id from the media library" },
                    "language": { "type": "string", "description": "Language code, one the site publishes in; the article's own (or the site's default for a new one) when left out" },
                    "version": { "type": "integer", "description": "On update: the version you started from; a newer save gives 409 (modified_at is read as well)" } } },
                "Article": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "section": { "type": "string" }, "slug": { "type": "string" },
                    "headline": { "type": "string" }, "standfirst": { "type": "string" }, "body": { "type": "string" },
                    "authors": { "type": "array", "items": { "type": "string" } }, "tags": { "type": "array", "items": { "type": "string" } },
                    "status": { "type": "string" }, "published_at": { "type": ["string", "null"], "format": "date-time" },
                    "updated_at": { "type": ["string", "null"], "format": "date-time" }, "correction": { "type": "string" },
                    "owner": { "type": ["integer", "null"] }, "lead_image_id": { "type": ["integer", "null"] }, "modified_at": { "type": "integer" }, "view_count": { "type": "integer" },
                    "version": { "type": "integer", "description": "Also sent as the ETag; send it back as If-Match or version when updating" } } },
                "GlossaryTerm": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "language": { "type": "string" }, "accepted": { "type": "string" },
                    "avoid": { "type": "array", "items": { "type": "string" } }, "note": { "type": "string" } } },
                "Finding": { "type": "object", "properties": {
                    "field": { "type": "string", "enum": ["headline", "standfirst", "body"] },
                    "start": { "type": "integer", "description": "Byte offset in the field" }, "end": { "type": "integer" },
                    "line": { "type": "integer" }, "column": { "type": "integer", "description": "In characters, from 1" },
                    "found": { "type": "string" }, "suggestion": { "type": "string" },
                    "kind": { "type": "string", "enum": ["avoided", "inconsistent"] }, "message": { "type": "string" } } },
                "Section": { "type": "object", "properties": { "id": { "type": "integer" }, "slug": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" } } },
                "Tag": { "type": "object", "properties": { "id": { "type": "integer" }, "slug": { "type": "string" }, "name": { "type": "string" } } },
                "Author": { "type": "object", "properties": { "id": { "type": "integer" }, "slug": { "type": "string" }, "name": { "type": "string" }, "bio": { "type": "string" }, "avatar": { "type": ["string", "null"] } } }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/admin/sections": list_of("sections", "Section"),
            "/api/admin/tags": list_of("tags", "Tag"),
            "/api/admin/authors": list_of("authors", "Author"),
            "/api/admin/articles": {
                "get": {
                    "summary": "Articles you may see, last saved first",
                    "parameters": [
                        { "name": "status", "in": "query", "schema": { "type": "string" } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100 } },
                        { "name": "offset", "in": "query", "schema": { "type": "integer", "minimum": 0 } }
                    ],
                    "responses": { "200": { "description": "A page of articles and the total" }, "401": error_response("No valid token") }
                },
                "post": {
                    "summary": "Create an article", "requestBody": draft_body,
                    "responses": { "201": article_response("Created"), "403": error_response("The role does not allow it"),
                                   "422": error_response("The article breaks a rule") }
                }
            },
            "/api/admin/articles/{id}": {
                "get": { "summary": "One article", "parameters": id_parameter(),
                         "responses": { "200": article_response("The article"), "404": error_response("No such article") } },
                "put": { "summary": "Replace an article's fields; send If-Match (the ETag of your copy) or version so that a newer save is never overwritten",
                         "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } },
                                        { "name": "If-Match", "in": "header", "required": false, "schema": { "type": "string" } }],
                         "requestBody": draft_body,
                         "responses": { "200": article_response("Saved"), "409": error_response("Someone saved since the version in the body"),
                                        "412": error_response("Someone saved since the version If-Match names"),
                                        "422": error_response("The article breaks a rule") } },
                "delete": { "summary": "Delete an article", "parameters": id_parameter(),
                            "responses": { "204": { "description": "Deleted" }, "403": error_response("The role does not allow it") } }
            },
            "/api/admin/articles/{id}/publish": status_change("Publish now (or at the time already set, if past)"),
            "/api/admin/articles/{id}/unpublish": status_change("Take a published article down"),
            "/api/admin/articles/{id}/style": {
                "get": { "summary": "The style guide's findings in a saved article, in its language", "parameters": id_parameter(),
                         "responses": { "200": style_response(), "404": error_response("No such article") } }
            },
            "/api/admin/style-check": {
                "post": {
                    "summary": "Check text against the style guide before saving it",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object", "properties": {
                            "headline": { "type": "string" }, "standfirst": { "type": "string" },
                            "body": { "type": "string", "description": "Markdown" },
                            "language": { "type": "string", "description": "Language tag; en when left out" } } } } } },
                    "responses": { "200": style_response(), "400": error_response("Not the expected JSON") }
                }
            },
            "/api/admin/glossary": list_of("glossary", "GlossaryTerm"),
            "/api/admin/media": {
                "get": { "summary": "The media library, newest first", "responses": { "200": { "description": "The images" } } },
                "post": {
                    "summary": "Upload an image (JPEG, PNG, WebP or GIF, up to 10 MB and 40 megapixels)",
                    "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                        "type": "object", "required": ["file", "alt"], "properties": {
                            "file": { "type": "string", "format": "binary" }, "alt": { "type": "string" },
                            "caption": { "type": "string" }, "credit": { "type": "string" } } } } } },
                    "responses": { "201": { "description": "Stored, with its resized copies; use its id as an article's lead_image" },
                                   "422": error_response("Not an image, too large, too many pixels, or no alt text") }
                }
            }
        }
    })
}
