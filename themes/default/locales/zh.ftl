### Simplified Chinese interface text of the public site (Project Fluent syntax). 公共网站界面的简体中文文本。
###
### To add a language, copy en.ftl (not this file) into the locales directory as `<code>.ftl`, translate it
### and restart the server; en.ftl explains the details. Messages left out fall back to English.
### 如需添加其他语言：将 en.ftl 复制到 locales 目录并以语言代码命名（如 `ja.ftl`），翻译后重启服务器。

## 语言本身

locale-tag = zh-Hans
locale-name = 中文
# 2025年12月2日 23:21
date-pattern = %Y年%-m月%-d日 %H:%M
number-group-separator = ,

## 页面框架（base.html）

skip-to-content = 跳到正文
nav-sections-label = 栏目
nav-search = 搜索
language-switcher-label = 语言
footer-nav-label = 页脚导航

## 通用部件（macros.html）

# 作者：甲、乙和丙
byline-by = 作者：
byline-separator = 、
byline-last-separator = 和
# 中文没有复数变化；$views 是已分组的数字（12,345）。
views = { $views } 次阅读
pagination-label = 分页
pagination-status = 第 { $page } 页，共 { $total } 页
pagination-newer = 较新文章
pagination-older = 较早文章
pagination-previous = 上一页
pagination-next = 下一页

## 文章页（article.html）

article-updated = 更新于
article-correction = 更正
article-tags = 标签
article-recommend = 推荐阅读
latest-heading = 最新

## 首页（home.html）与列表页（list.html）

home-top-story = 头条
home-most-read = 阅读排行
list-tag = 标签
list-empty = 这里还没有发布任何内容。
list-title-page = { $title }（第 { $page } 页）
breadcrumb-home = 首页

## 搜索（search.html）

search-heading = 搜索
search-title = 搜索
search-title-query = 搜索：{ $query }
search-form-label = 搜索文章
search-words-label = 搜索词
search-button = 搜索
search-hint = 用英文双引号（"）括住词组，可按整个短语查找；在词前加减号可排除该词，例如 -足球。
search-filters = 筛选与排序
search-section = 栏目
search-all-sections = 全部栏目
search-from = 起始日期
search-to = 截止日期
search-order = 排序
search-order-relevance = 相关度优先
search-order-newest = 最新发布优先
search-only-author = 仅显示作者“{ $author }”的文章。
search-every-author = 显示所有作者的文章
search-index-building = 搜索索引仍在建立中，部分文章可能暂时不会出现在结果里。
# 以下显示“<a>更正后的词</a>”的搜索结果。
search-corrected-before = 以下显示“
search-corrected-after = ”的搜索结果。
search-summary = 找到 { $count } 篇文章
search-no-results = 没有找到匹配的文章。请检查拼写，减少或更换关键词，或取消某个筛选条件。

## 错误页（not_found.html）

error-status = 错误 { $status }
error-front-page = 返回首页
error-browse-sections = 浏览各栏目
error-not-found-title = 找不到该页面
error-not-found-message = 我们找不到这个页面。它可能已被移动，也可能是网址输入有误。
error-too-many-title = 请求过多
error-too-many-message = 来自您的地址的请求过多，我们暂时无法全部处理。请稍等几秒后再试。
error-bad-request-title = 无法处理该请求
error-bad-request-message = 无法按照当前方式处理这个请求。
error-server-title = 出错了
error-server-message = 我们这边出了点问题，请稍后再试。
error-fallback = 出错了，请重试。

## 预览（带预览横幅的 article.html；预览链接失效时的 not_found.html）

preview-banner = 预览：读者无法通过此网址看到这篇文章；这是文章将来呈现给读者的样子。
preview-banner-expires = 此私密链接在 { $time } 前有效。
preview-unknown-title = 找不到预览链接
preview-unknown-message = 这个预览链接不存在或已被撤销。请向发送链接的人索取新的链接。
preview-expired-title = 预览链接已过期
preview-expired-message = 这个预览链接已过期。请向发送链接的人索取新的链接。
