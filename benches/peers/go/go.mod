module instagram-webhook-peer

go 1.19
