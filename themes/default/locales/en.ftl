### English interface text of the public site, in Project Fluent syntax (https://projectfluent.org).
###
### To add a language: copy this file into the locales directory under the language's code as its name
### (`de.ftl`, `pt-br.ftl`: lowercase letters, digits and hyphens; the code appears in the site's addresses),
### translate the text on the right of each `=`, and restart the server. Messages the new file leaves out
### are shown in English, and the log lists them at start. A file named like a built-in language (`en`, `zh`)
### is laid over that language: only the messages it contains change.
###
### Keep `{ $name }` placeholders as they are. Where a number decides the wording, a selector picks the
### variant by the language's plural rules (`[one]`, `[few]`, `[other]`, …; `*` marks the default).
### Spaces at either end of a message are dropped unless written as `{" "}`.

## About the language itself

# BCP 47 tag, for <html lang> and hreflang.
locale-tag = en
# The language's name in the language, for the language switcher.
locale-name = English
# How dates and times read, as a chrono strftime pattern (`%Y年%-m月%-d日 %H:%M`). Empty: the site's own
# date setting applies.
date-pattern = {""}
# Put between groups of three digits: 12,345.
number-group-separator = ,

## Page frame (base.html)

skip-to-content = Skip to content
nav-sections-label = Sections
nav-search = Search
language-switcher-label = Language
footer-nav-label = Footer

## Shared pieces (macros.html)

# "By A", "By A and B", "By A, B and C": the text before the first name, between names, and before the last.
byline-by = By{" "}
byline-separator = ,{" "}
byline-last-separator = {" "}and{" "}
# $count: the number of views, which picks the variant; $views: the same number, already grouped (12,345).
views =
    { $count ->
        [one] { $views } view
       *[other] { $views } views
    }
pagination-label = Pagination
pagination-status = Page { $page } of { $total }
# Link texts of lists by date…
pagination-newer = Newer
pagination-older = Older
# …and of search results.
pagination-previous = Previous
pagination-next = Next

## Article page (article.html)

article-updated = Updated
article-correction = Correction
article-tags = Tags
article-recommend = Recommend
latest-heading = Latest

## Front page (home.html) and lists (list.html)

home-top-story = Top story
home-most-read = Most read
list-tag = Tag
list-empty = Nothing published here yet.
# Page title of the second and later pages of a list.
list-title-page = { $title } (page { $page })
# First entry of the breadcrumb trail in structured data.
breadcrumb-home = Home

## Search (search.html)

search-heading = Search
# Page title: without a query, then with one.
search-title = Search
search-title-query = Search: { $query }
search-form-label = Search articles
search-words-label = Words to find
search-button = Search
search-hint = Put "quotation marks" around a phrase; put a minus sign before a word to leave it out, as in -football.
search-filters = Filters and order
search-section = Section
search-all-sections = All sections
search-from = Published from
search-to = Published until
search-order = Order
search-order-relevance = Best match first
search-order-newest = Newest first
search-only-author = Only articles by { $author }.
search-every-author = Show every author
search-index-building = The search index is still being built, so some articles may be missing from the results.
# Around the link to the corrected query: "Showing results for <a>corrected</a>."
search-corrected-before = Showing results for{" "}
search-corrected-after = .
search-summary =
    { $count ->
        [one] { $count } article found
       *[other] { $count } articles found
    }
search-no-results = No articles match. Check the spelling, try fewer or different words, or remove a filter.

## Error pages (not_found.html)

error-status = Error { $status }
error-front-page = Go to the front page
error-browse-sections = Browse the sections
error-not-found-title = Page not found
error-not-found-message = We could not find that page. It may have moved, or the address may be mistyped.
error-too-many-title = Too many requests
error-too-many-message = More requests came from your address than we can answer at once. Please wait a few seconds and try again.
error-bad-request-title = Request not understood
error-bad-request-message = That request could not be handled as sent.
error-server-title = Something went wrong
error-server-message = Something went wrong on our side. Please try again in a moment.
# Plain-text answers, when no page can be shown.
error-fallback = Something went wrong; please try again.

## Previews (article.html with a preview banner; not_found.html for a refused preview link)

preview-banner = Preview: readers cannot see this article at this address; this is how it will look to them.
preview-banner-expires = This private link works until { $time }.
preview-unknown-title = Preview link not found
preview-unknown-message = This preview link does not exist or was withdrawn. Ask the person who sent it for a new one.
preview-expired-title = Preview link expired
preview-expired-message = This preview link has expired. Ask the person who sent it for a new one.
