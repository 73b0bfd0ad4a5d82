//! The OpenAPI 3.1 description of the API, served at `/api/openapi.json`. utoipa makes it from each handler's
//! own annotation as the route is registered (`utoipa_axum`'s `routes!`), so a route cannot be added without
//! its description, nor a description without its route.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa::{Modify, ToSchema};

use super::ErrorBody;

/// What the document says besides its paths.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "newsroom API",
        version = "1",
        description = "Write and publish articles with the same rules as the back office, and search the public \
            site. Authenticate with `Authorization: Bearer <token>`; tokens are made in the back office (API \
            tokens) or with `newsroom token create --email E`. Errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerTokens),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// The bearer-token scheme every admin route asks for.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut OpenApi) {
        let scheme = SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        openapi.components.get_or_insert_with(Default::default).add_security_scheme("bearer", scheme);
    }
}

/// Adds to every operation the answers any route may give: 401 where a token is needed, and 503 while the
/// database cannot serve.
pub fn add_common_refusals(openapi: &mut OpenApi) {
    let error = || ContentBuilder::new().schema(Some(Ref::from_schema_name(<ErrorBody as ToSchema>::name()))).build();
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
        ];
        for operation in operations.into_iter().flatten() {
            let public = operation.security.as_ref().is_some_and(|s| s.iter().all(is_empty_requirement));
            let responses = &mut operation.responses.responses;
            if !public {
                let unauthorized =
                    ResponseBuilder::new().description("No valid token").content("application/json", error());
                responses.entry("401".into()).or_insert_with(|| unauthorized.into());
            }
            let unavailable = ResponseBuilder::new()
                .description("The database cannot serve now; try again after Retry-After seconds")
                .content("application/json", error());
            responses.entry("503".into()).or_insert_with(|| unavailable.into());
        }
    }
}

fn is_empty_requirement(requirement: &utoipa::openapi::security::SecurityRequirement) -> bool {
    requirement == &utoipa::openapi::security::SecurityRequirement::default()
}
