package models

// ReplyLinkKey names the key that signs the answer links of invitations.
const ReplyLinkKey = "reply-links"
