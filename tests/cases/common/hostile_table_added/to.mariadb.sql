CREATE TABLE `Ta"ble ü` (`id` INTEGER PRIMARY KEY, `select` VARCHAR(40), `co"l 名` INTEGER,
  CONSTRAINT `ck "q" €` CHECK (`co"l 名` > 0));
