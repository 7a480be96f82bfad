module sandboxfs/guest

go 1.26
