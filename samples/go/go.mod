module paydesk.example/checkout

go 1.19
