func f( { [[[[ let x = "unterminated
ÿş struct