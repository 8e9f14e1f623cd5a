"""WeChat's own numbers that the bot lives by, each with where it comes from."""

# A passive text reply's Content: the official page (被动回复用户消息,
# developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html)
# names no limit, but replies over about 2 KB are refused with 「该公众号提供的服务出现故障」
# (reported on developers.weixin.qq.com's community, and as 628 Chinese characters in
# silenceper/wechat issue #673): 2,000 bytes of UTF-8 is kept under it.
WECHAT_TEXT_LIMIT = 2000
